import Foundation

/// `odas-sim merge`: shards of one exploration combined into one report.
public enum ExploreMerge {
    /// Merges `parts` (each a shard's explore.json); refuses parts of
    /// different scenario files, vocabularies or schedule sizes, and a seed
    /// two parts report differently. The result has no shard label: it is
    /// what one process running all the seeds would have written.
    public static func merge(_ parts: [(path: String, report: ExploreReport)]) throws(ScenarioDocument.Failure) -> ExploreReport {
        guard var merged = parts.first?.report else { throw .unreadable("nothing to merge") }
        var bySeed: [UInt64: (String, SeedOutcome)] = [:]
        var shrunk: [UInt64: ShrinkRecord] = [:]
        for (path, part) in parts {
            guard part.scenario == merged.scenario, part.sourceDigest == merged.sourceDigest else {
                throw .unreadable("\(path): explores \(part.scenario) (file digest \(part.sourceDigest)), not \(merged.scenario) (\(merged.sourceDigest)) like \(parts[0].path)")
            }
            guard part.actions == merged.actions, part.maxFaults == merged.maxFaults else {
                throw .unreadable("\(path): drew from \(part.actions.joined(separator: ",")) with up to \(part.maxFaults) faults, \(parts[0].path) from \(merged.actions.joined(separator: ",")) with up to \(merged.maxFaults); schedules of different vocabularies do not merge")
            }
            for outcome in part.results {
                if let (other, seen) = bySeed[outcome.seed], seen != outcome {
                    throw .unreadable("seed \(outcome.seed) has different results in \(other) and \(path)")
                }
                bySeed[outcome.seed] = (path, outcome)
            }
            for record in part.shrunk where shrunk[record.seed] == nil { shrunk[record.seed] = record }
        }
        merged.shard = nil
        merged.results = bySeed.values.map(\.1).sorted { $0.seed < $1.seed }
        merged.shrunk = shrunk.values.sorted { $0.seed < $1.seed }
        return merged
    }
}
