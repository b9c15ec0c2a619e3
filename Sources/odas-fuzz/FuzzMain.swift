import Foundation
import FuzzTargets

#if FUZZING
// Built by scripts/fuzz with -sanitize=fuzzer: libFuzzer drives the target named by $ODAS_FUZZ_TARGET.
// SwiftPM links an executable's entry point as `<module>_main`; this one hands control to libFuzzer.

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@_cdecl("LLVMFuzzerTestOneInput") public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let name = ProcessInfo.processInfo.environment["ODAS_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        FileHandle.standardError.write(Data("ODAS_FUZZ_TARGET must be one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
        exit(2)
    }
    target.run(Array(UnsafeBufferPointer(start: data, count: min(size, target.maximumLength))))
    return 0
}

@_cdecl("odas_fuzz_main") public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var vector = argv
    return LLVMFuzzerRunDriver(&count, &vector, fuzzOneInput)
}
#else
/// `odas-fuzz`: the fuzz targets without libFuzzer.
///
///     odas-fuzz replay TARGET PATH...                     every file (or every file in a folder) once
///     odas-fuzz mutate TARGET --corpus DIR [--runs N] [--seed S] [--crash-file F] [--slow-ms MS]
///
/// `mutate` writes each input to the crash file before running it (a crash
/// leaves the input there), and stops with exit 1 at an input slower than
/// `--slow-ms` (saved beside the crash file as `.slow`).
@main struct FuzzMain {
    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        guard arguments.count >= 2, let target = FuzzTarget(rawValue: arguments[1]) else { usage() }
        let command = arguments.removeFirst()
        arguments.removeFirst()
        switch command {
        case "replay": replay(target, paths: arguments)
        case "mutate": mutate(target, options: options(arguments))
        default: usage()
        }
    }

    static func usage() -> Never {
        let targets = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
        FileHandle.standardError.write(Data("""
            usage: odas-fuzz replay \(targets) PATH...
                   odas-fuzz mutate \(targets) --corpus DIR [--runs N] [--seed S] [--crash-file F] [--slow-ms MS]

            """.utf8))
        exit(2)
    }

    static func options(_ arguments: [String]) -> [String: String] {
        var result: [String: String] = [:]
        var index = 0
        while index < arguments.count {
            guard arguments[index].hasPrefix("--"), index + 1 < arguments.count else { usage() }
            result[String(arguments[index].dropFirst(2))] = arguments[index + 1]
            index += 2
        }
        return result
    }

    /// Every regular file at `paths` (folders: their files, sorted).
    static func files(_ paths: [String]) -> [String] {
        var result: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                FileHandle.standardError.write(Data("odas-fuzz: \(path): no such file\n".utf8))
                exit(2)
            }
            if isDirectory.boolValue {
                let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
                result += names.map { URL(fileURLWithPath: path).appendingPathComponent($0).path }
            } else {
                result.append(path)
            }
        }
        return result
    }

    static func replay(_ target: FuzzTarget, paths: [String]) {
        let inputs = files(paths)
        for path in inputs {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            target.run(Array(data.prefix(target.maximumLength)))
        }
        print("odas-fuzz replay \(target.rawValue): \(inputs.count) inputs, no crash")
    }

    static func mutate(_ target: FuzzTarget, options: [String: String]) {
        guard let corpusPath = options["corpus"] else { usage() }
        let runs = options["runs"].flatMap(Int.init) ?? 1000
        let seed = options["seed"].flatMap(UInt64.init) ?? 1
        let slowMilliseconds = options["slow-ms"].flatMap(Int.init) ?? 2000
        let crashFile = options["crash-file"]
        let corpus = files([corpusPath]).compactMap { FileManager.default.contents(atPath: $0).map { [UInt8]($0) } }
        var mutator = Mutator(seed: seed, corpus: corpus, maximumLength: target.maximumLength)
        let clock = ContinuousClock()
        let started = clock.now
        var slowest: Duration = .zero
        for run in 0..<runs {
            let input = mutator.next()
            if let crashFile { FileManager.default.createFile(atPath: crashFile, contents: Data(input)) }
            let before = clock.now
            target.run(input)
            let took = clock.now - before
            slowest = max(slowest, took)
            if took > .milliseconds(slowMilliseconds) {
                let slowFile = (crashFile ?? "odas-fuzz-input") + ".slow"
                FileManager.default.createFile(atPath: slowFile, contents: Data(input))
                FileHandle.standardError.write(Data("odas-fuzz mutate \(target.rawValue): run \(run) (seed \(seed)) took \(took), over --slow-ms \(slowMilliseconds); input saved to \(slowFile)\n".utf8))
                exit(1)
            }
        }
        if let crashFile { try? FileManager.default.removeItem(atPath: crashFile) }
        print("odas-fuzz mutate \(target.rawValue): \(runs) inputs from \(corpus.count) seeds (seed \(seed)) in \(clock.now - started), slowest \(slowest), no crash")
    }
}
#endif
