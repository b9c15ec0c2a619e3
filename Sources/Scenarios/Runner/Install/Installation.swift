import AWSSim
import Foundation
import KubeSim
import ODASModel
import SimCore

/// An installer at work in the world: a value the world holds while the
/// installation runs, woken by its own timers and by what it waits for.
/// Each kind is its own type (``EC2Installer``, ``EKSInstaller``,
/// ``CloudFormationInstaller``); the world knows only this protocol.
protocol WorldInstaller: Sendable {
    /// Starts at the current instant (the preflight passed).
    mutating func start(world: inout World)
    /// A timer the installer set with ``World/installerTimer(_:after:)``.
    mutating func timer(_ token: Int, world: inout World)
    /// Something happened that the installer may be waiting for.
    mutating func observe(_ change: InstallObservation, world: inout World)
}

/// What an installer can wait for.
enum InstallObservation: Sendable {
    /// Every ODAS service of the primary cluster has its replicas ready.
    case odasReady
    /// A fault started or ended.
    case faultsChanged
    /// A stack's status changed.
    case stackStatus(stackId: String, status: String)
    /// An Auto Scaling instance passed its health checks, or was terminated.
    case instanceInService(group: String, instance: String, name: String, availabilityZone: String)
    case instanceTerminated(group: String, instance: String, name: String)
    /// A load balancer became active or a target's health changed.
    case loadBalancersChanged
}

/// The installation phase of a run: when it started and ended, its phases
/// (also on the timeline and in the trace), and what rollbacks left behind.
struct Installation: Sendable {
    var kind: InstallerKind
    var startedAt: SimInstant
    var installedAt: SimInstant?
    var failure: String?
    var phases: [(at: SimInstant, text: String)] = []
    var attempts = 1
    var leftBehind: [String] = []
    var catalogBootstrapped = false

    var report: InstallationReport {
        InstallationReport(installer: kind.rawValue, outcome: installedAt != nil ? "installed" : failure != nil ? "failed" : "in-progress",
                           installedAfter: installedAt.map { ($0 - startedAt).readable }, attempts: attempts,
                           phases: phases.map { .init(at: $0.at.readable, text: $0.text) }, failure: failure, leftBehind: leftBehind)
    }
}

extension World {
    /// Whether this run installs ODAS (an installer whose preflight passed).
    var installs: Bool { scenario.installer != nil && scenario.odas != nil }

    /// Starts the installer after a passing preflight.
    mutating func startInstallation() {
        guard let spec = scenario.installer, scenario.odas != nil else { return }
        installation = Installation(kind: spec.kind, startedAt: loop.now)
        let made: any WorldInstaller
        switch spec.kind {
        case .ec2: made = EC2Installer(spec: spec)
        case .eks: made = EKSInstaller()
        case .cloudFormation: made = CloudFormationInstaller(spec: spec)
        }
        installer = made
        trace.record("installer", "start", at: loop.now, ["kind": .string(spec.kind.rawValue)])
        withInstaller { installer, world in installer.start(world: &world) }
    }

    /// Runs `body` on the installer in place (swapped out of the world).
    mutating func withInstaller(_ body: (inout any WorldInstaller, inout World) -> Void) {
        guard var current = installer else { return }
        installer = nil
        body(&current, &self)
        // After success the installer stays (new Auto Scaling instances join the cluster it built).
        if installation?.failure == nil { installer = current }
    }

    /// Tells the installer, if one is at work.
    mutating func observeInstall(_ change: InstallObservation) {
        guard installer != nil else { return }
        withInstaller { installer, world in installer.observe(change, world: &world) }
    }

    /// Wakes the installer with `token` after `delay`.
    mutating func installerTimer(_ token: Int, after delay: SimDuration) {
        loop.schedule(.installer(token: token), at: loop.now + delay)
    }

    /// A phase of the installation: the timeline, the trace and the report.
    mutating func installPhase(_ text: String) {
        installation?.phases.append((loop.now, text))
        timeline.append(TimelineEntry(at: loop.now, kind: "install", text: "install: " + text))
        trace.record("installer", "phase", at: loop.now, ["text": .string(text)])
    }

    /// A seeded duration between `range`'s bounds (the installer's own stream, per purpose).
    func installDuration(_ purpose: String, _ range: ClosedRange<SimDuration>) -> SimDuration {
        var random = SimRandom(seed: seed).stream("installer").stream(purpose)
        return random.duration(in: range)
    }

    /// ODAS is installed: every service ready. The workloads start now.
    mutating func installationSucceeded() {
        guard var state = installation, state.installedAt == nil else { return }
        state.installedAt = loop.now
        installation = state
        let took = (loop.now - state.startedAt).readable
        installPhase("ODAS installed (\(state.kind.rawValue)) in \(took)")
        trace.record("installer", "installed", at: loop.now, ["after": .string(took)])
        startClients()
    }

    /// The installation cannot go on: the workloads never start.
    mutating func installationFailed(_ reason: String) {
        guard installation?.installedAt == nil, installation?.failure == nil else { return }
        installPhase("installation failed: " + reason)
        installation?.failure = reason
        trace.record("installer", "failed", at: loop.now, ["reason": .string(reason)])
        installer = nil
    }

    /// The ODAS services deployed on the primary cluster: the catalog schema
    /// and contents created (once), then the manifests applied through the
    /// Kubernetes API. Nil when applied, else why not (the API is down).
    mutating func deployODAS() -> String? {
        guard let spec = scenario.odas, kube != nil else { return "no Kubernetes cluster" }
        kubeCatchUp()
        guard kube?.isAPIAvailable == true else { return "the Kubernetes API server is unavailable (etcd has no quorum)" }
        if installation?.catalogBootstrapped != true {
            guard rds.instances[spec.catalogDatabase] != nil else {
                return "the catalog database \(spec.catalogDatabase) does not exist"
            }
            bootstrapCatalog(spec, at: loop.now)
            installation?.catalogBootstrapped = true
        }
        applyODASManifests(cluster: 0, at: loop.now)
        return nil
    }

    /// Brings the primary cluster's clock to now before the installer writes to it
    /// (its own timers may not have woken it since; a new cluster starts at zero).
    mutating func kubeCatchUp() {
        let now = loop.now, model = faults
        _ = updateKube(0) { cluster in cluster.advance(to: now, faults: model) }
        drainKube()
    }

    /// An ODAS image's pull onto a fresh instance: model assumption (Okera
    /// publishes no image sizes; about 1 GB from a registry in the region at ~35 MB/s).
    static let odasImagePullTime = SimDuration.seconds(30)

    /// Joins an installer's instance to the cluster it builds (kubeadm init
    /// for the first, join for the rest), creating the cluster with the
    /// first. Control-plane members make up the etcd quorum. Nil when
    /// joined, else why not.
    mutating func joinInstallerNode(instance: String, name: String, availabilityZone: String, controlPlane: Bool) -> String? {
        if kube == nil {
            // Fresh instances pull the ODAS images before their first pods run.
            var config = KubeConfig()
            config.imagePullTime = Self.odasImagePullTime
            var cluster = KubeCluster(random: SimRandom(seed: seed).stream("kube"), config: config)
            cluster.setFaults(faults)
            kube = cluster
        }
        kubeCatchUp()
        // A node named after its instance's private DNS name lives on the instance's host.
        if !faults.contains(.host(name)), let host = ec2.instances[instance]?.name, faults.contains(.host(host)) {
            faults.addHost(name, in: .host(host))
            kube?.setFaults(faults)
        }
        if kube?.isAPIAvailable != true {
            return "the Kubernetes API server is unavailable (etcd has no quorum)"
        }
        let type = ec2.instances[instance]?.instanceType ?? scenario.installer?.instanceType ?? ""
        let capacity = Self.instanceCapacity[type] ?? (4, 16)
        let region = scenario.topology.regions.first { $0.availabilityZones.contains(availabilityZone) }?.name ?? ""
        var labels = ["node.kubernetes.io/instance-type": type]
        // kubeadm labels control-plane nodes; the ODAS installer removes their NoSchedule taint so they run ODAS too.
        if controlPlane { labels["node-role.kubernetes.io/control-plane"] = "" }
        let error: String? = updateKube(0) { cluster -> String? in
            do {
                try cluster.addNode(name: name, zone: availabilityZone, region: region, cpu: Quantity(milli: capacity.cpu * 1000),
                                    memory: Quantity(value: capacity.memoryGiB << 30), labels: labels, faultDomain: .host(name))
                if controlPlane { cluster.setControlPlane(members: cluster.controlPlaneMembers + [.host(name)]) }
                return nil
            } catch {
                return "\(error)"
            }
        } ?? "no Kubernetes cluster"
        drainKube()
        scheduleKube()
        return error
    }
}
