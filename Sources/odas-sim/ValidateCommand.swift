import ArgumentParser
import Scenarios

extension OdasSim {
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check scenario files without running them.",
            discussion: "Prints every problem with file, line, column and key path. Exit code 2 if any file is invalid."
        )

        @Argument(help: "One or more scenario files.", completion: .file(extensions: ["yaml", "yml"]))
        var files: [String]

        @OptionGroup var limitOptions: LimitOptions

        func run() throws {
            var invalid = 0
            for file in files {
                do {
                    let scenario = try ScenarioLoader.load(path: file, limits: limitOptions.limits)
                    print("\(file): ok (\(scenario.name): \(scenario.topology.regions.count) regions, \(scenario.workloads.count) workloads, \(scenario.faults.count) faults, \(scenario.expectations.ids.count) expectations)")
                    for note in scenario.notes { print("  note: \(note)") }
                } catch {
                    invalid += 1
                    printError(error.description)
                }
            }
            if invalid > 0 {
                printError("\(invalid) of \(files.count) scenario files invalid")
                throw ExitCode(2)
            }
        }
    }
}
