import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import Scenarios
import SimServer

extension OdasSim {
    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve a scenario's world on 127.0.0.1 for aws-cli, boto3, kubectl and other clients.",
            discussion: """
                One AWS endpoint answers every simulated service, routed by the SigV4 credential scope \
                (AWS_ENDPOINT_URL=http://127.0.0.1:4566). Access keys come from the scenario's iam.users; \
                --allow-any-credentials accepts any key without checking signatures (local development only). \
                A Kubernetes endpoint serves the scenario's cluster to kubectl (--kubeconfig F writes a kubeconfig). \
                A control endpoint injects faults, moves virtual time and serves instance metadata (see docs/serve.md).
                """
        )

        @Argument(help: "The scenario file whose world to serve.", completion: .file(extensions: ["yaml", "yml"]))
        var file: String

        @Option(help: "Port of the AWS endpoint (0: any free port).")
        var port: Int = 4566

        @Option(name: .customLong("control-port"), help: "Port of the control endpoint (0: any free port).")
        var controlPort: Int = 0

        @Option(help: "Virtual seconds per wall-clock second.")
        var speed: Double = 1

        @Flag(name: .customLong("allow-any-credentials"), help: "Accept any access key and skip signature checks.")
        var allowAnyCredentials = false

        @Flag(name: .customLong("tls"), help: "Serve the AWS endpoint over HTTPS with a certificate made at start (see --ca-bundle).")
        var tls = false

        @Option(name: .customLong("ca-bundle"), help: "With --tls: write the certificate authority clients must trust here (default: ca-bundle.pem beside the ready file, else in the temporary directory).")
        var caBundle: String?

        @Option(name: .customLong("ready-file"), help: "Write a JSON file with the endpoint URLs once listening.")
        var readyFile: String?

        @Option(name: .customLong("state-dir"), help: "Persist S3 and KMS state in this directory across restarts (locked while serving).")
        var stateDirectory: String?

        @Option(name: .customLong("base-domain"), help: "Host name for virtual-hosted-style buckets (repeatable).")
        var baseDomains: [String] = []

        @Option(name: .customLong("kube-port"), help: "Port of the Kubernetes API endpoint for kubectl (0: any free port).")
        var kubePort: Int = 0

        @Option(name: .customLong("odas-port"), help: "Port of the ODAS REST API endpoint (0: any free port).")
        var odasPort: Int = 0

        @Option(name: .customLong("kubeconfig"), help: "Write a kubeconfig for kubectl to this file once listening.")
        var kubeconfig: String?

        @Option(name: .customLong("idle-timeout"), help: "Seconds after which an idle connection is closed.")
        var idleTimeout: Int64 = 60

        @Option(name: .customLong("request-timeout"), help: "Seconds a request may take to arrive in full (then RequestTimeout).")
        var requestTimeout: Int64 = 300

        @Option(name: .customLong("max-connections"), help: "Open connections per endpoint; more are closed at once.")
        var maxConnections: Int = 1024

        @Option(name: .customLong("max-body"), help: "Largest S3 request body in bytes (larger: 400 EntityTooLarge).")
        var maxBody: Int = 256 << 20

        @Option(name: .customLong("control-token"), help: "Require this token (Authorization: Bearer) on the control endpoint; default $ODAS_SIM_CONTROL_TOKEN. The ready file (mode 0600) carries it for odas-sim fault and clock.")
        var controlToken: String?

        /// The token from the flag or the environment (a flag's value shows in `ps`; the environment's does not).
        var effectiveControlToken: String? {
            let token = controlToken ?? ProcessInfo.processInfo.environment["ODAS_SIM_CONTROL_TOKEN"]
            return token?.isEmpty == false ? token : nil
        }

        func validate() throws {
            guard idleTimeout >= 1, requestTimeout >= 1 else { throw ValidationError("--idle-timeout and --request-timeout are at least 1 second") }
            guard maxConnections >= 1 else { throw ValidationError("--max-connections is at least 1") }
            guard maxBody >= 1 else { throw ValidationError("--max-body is at least 1 byte") }
            if let token = effectiveControlToken {
                guard token.count >= 16, token.allSatisfy({ $0.isASCII && !$0.isWhitespace && !$0.isNewline }) else {
                    throw ValidationError("--control-token needs at least 16 printable ASCII characters without spaces")
                }
            }
            guard (0...65535).contains(port), (0...65535).contains(controlPort), (0...65535).contains(kubePort),
              (0...65535).contains(odasPort) else {
                throw ValidationError("ports are 0 to 65535")
            }
            guard speed >= 0, speed <= 1_000_000 else { throw ValidationError("--speed must be from 0 to 1000000") }
            if caBundle != nil, !tls { throw ValidationError("--ca-bundle applies only with --tls") }
        }

        func run() throws {
            let scenario = try loadScenarioOrExit(file)
            var options = ServeOptions(port: port, controlPort: controlPort, speed: speed,
                                       allowAnyCredentials: allowAnyCredentials, maximumBodyBytes: maxBody)
            options.controlToken = effectiveControlToken
            if !baseDomains.isEmpty { options.baseDomains = baseDomains }
            // A parent may have blocked SIGTERM/SIGINT (the mask is inherited);
            // serve must always stop when asked to.
            var signals = sigset_t()
            sigemptyset(&signals)
            sigaddset(&signals, SIGTERM)
            sigaddset(&signals, SIGINT)
            pthread_sigmask(SIG_UNBLOCK, &signals, nil)
            options.stateDirectory = stateDirectory
            options.kubePort = kubePort
            options.odasPort = odasPort
            options.limits = LoopbackHTTPServer.Limits(maximumConnections: maxConnections, idleTimeout: .seconds(idleTimeout),
                                                       requestTimeout: .seconds(requestTimeout))
            var caBundlePath: String?
            if tls {
                let path = caBundle ?? readyFile.map { URL(fileURLWithPath: $0).deletingLastPathComponent().appendingPathComponent("ca-bundle.pem").path }
                    ?? FileManager.default.temporaryDirectory.appendingPathComponent("odas-sim-\(ProcessInfo.processInfo.processIdentifier)-ca-bundle.pem").path
                do {
                    let identity = try ServeTLSIdentity.generate()
                    try Data(identity.certificateAuthorityPEM.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
                    options.tls = identity
                    caBundlePath = path
                } catch {
                    printError("odas-sim serve: cannot make or write the TLS certificate authority \(path): \(error)")
                    throw ExitCode(2)
                }
            }
            let host: ServeHost
            do {
                host = try ServeHost(scenario: scenario, options: options)
            } catch {
                printError("odas-sim serve: \(error.description)")
                throw ExitCode(2)
            }
            for note in host.stateNotes { printError("odas-sim serve: state directory: \(note)") }
            let group = MultiThreadedEventLoopGroup(numberOfThreads: max(2, System.coreCount))
            let servers: ServeServers
            do {
                servers = try host.start(group: group)
            } catch {
                printError("odas-sim serve: \((error as? ServeListenError)?.description ?? "cannot listen on 127.0.0.1: \(error)")")
                throw ExitCode(2)
            }
            let urls = ["aws": "\(tls ? "https" : "http")://127.0.0.1:\(servers.aws.port)", "control": "http://127.0.0.1:\(servers.control.port)",
                        "kubernetes": "http://127.0.0.1:\(servers.kube.port)", "odas": "http://127.0.0.1:\(servers.odas.port)"]
            if let kubeconfig {
                let text = ServeHost.kubeconfig(server: urls["kubernetes"] ?? "", name: scenario.name)
                do { try Data(text.utf8).write(to: URL(fileURLWithPath: kubeconfig), options: .atomic) } catch {
                    printError("odas-sim serve: cannot write the kubeconfig \(kubeconfig): \(error.localizedDescription)")
                    throw ExitCode(2)
                }
            }
            var document: [String: Any] = urls
            document["pid"] = Int(ProcessInfo.processInfo.processIdentifier)
            if let caBundlePath { document["caBundle"] = caBundlePath }
            if let token = options.controlToken { document["controlToken"] = token }
            let data = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
            // The default ready file: `fault` and `clock` find this serve without options.
            // Best effort (another user's /tmp file, a read-only directory): it only saves typing.
            _ = PrivateFile.write(data, to: ServeDefaults.readyFile)
            if let readyFile, let failure = PrivateFile.write(data, to: readyFile) {
                printError("odas-sim serve: cannot write the ready file \(readyFile): \(failure)")
                throw ExitCode(2)
            }
            var banner = "odas-sim serve \(scenario.name): aws \(urls["aws"] ?? "") control \(urls["control"] ?? "") kubernetes \(urls["kubernetes"] ?? "") odas \(urls["odas"] ?? "")\n"
            if let caBundlePath { banner += "tls: the AWS endpoint speaks HTTPS; trust \(caBundlePath) (aws --ca-bundle, AWS_CA_BUNDLE, boto3 verify=)\n" }
            if allowAnyCredentials { banner += "warning: --allow-any-credentials: any access key is accepted, signatures are not checked\n" }
            FileHandle.standardOutput.write(Data(banner.utf8))
            servers.aws.wait()
        }
    }
}

/// Files only their owner may read (the ready file may carry the control token).
enum PrivateFile {
    /// Writes `data` to a temporary file of mode 0600 beside `path`, then
    /// renames it over `path`, so a reader never sees a half-written file.
    /// Returns why it failed, or nil.
    static func write(_ data: Data, to path: String) -> String? {
        let temporary = path + ".tmp.\(getpid())"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        let bytes = [UInt8](data)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count else {
            unlink(temporary)
            return "short write"
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            return reason
        }
        return nil
    }
}
