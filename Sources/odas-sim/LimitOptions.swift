import ArgumentParser
import Scenarios

/// `--limit NAME=VALUE` (repeatable): raises or lowers one of the loader's
/// limits (docs/scenario-format.md, "Limits").
struct LimitOptions: ParsableArguments {
    @Option(name: .customLong("limit"),
            help: ArgumentHelp("Set a limit, NAME=VALUE (repeatable): \(LoadLimits.names.joined(separator: ", ")).", valueName: "name=value"))
    var items: [String] = []

    func validate() throws {
        if case .failure(let error) = LoadLimits.parse(items) { throw ValidationError(error.message) }
    }

    /// The limits in force (validated above).
    var limits: LoadLimits { (try? LoadLimits.parse(items).get()) ?? LoadLimits() }
}
