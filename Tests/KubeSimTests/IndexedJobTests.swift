import Foundation
import SimCore
import Testing
@testable import KubeSim

/// `completionMode: Indexed` as the Job controller runs it.
@Suite struct IndexedJobTests {
    static func indexedJob(completions: Int32?, parallelism: Int32, mode: String = "Indexed") -> Job {
        var spec = podSpec()
        spec.restartPolicy = "Never"
        var jobSpec = JobSpec(completions: completions, parallelism: parallelism,
                              template: PodTemplateSpec(metadata: ObjectMeta(labels: ["app": "explore"]), spec: spec))
        jobSpec.completionMode = mode
        return Job(metadata: ObjectMeta(name: "explore"), spec: jobSpec)
    }

    @Test func eachIndexGetsOnePodWithItsIndexAndTheJobCompletesWhenEveryIndexSucceeded() throws {
        var (cluster, _) = makeCluster()
        try cluster.create(Self.indexedJob(completions: 5, parallelism: 3))
        let first = cluster.pods().sorted { KubeCluster.completionIndex($0) ?? -1 < KubeCluster.completionIndex($1) ?? -1 }
        #expect(first.compactMap(KubeCluster.completionIndex) == [0, 1, 2])
        for pod in first {
            let index = try #require(KubeCluster.completionIndex(pod))
            #expect(pod.metadata.nameOrEmpty.hasPrefix("explore-\(index)-"))
            #expect(pod.metadata.labels?[KubeCluster.jobCompletionIndexKey] == String(index))
            #expect(pod.spec.hostname == "explore-\(index)")
            #expect(pod.spec.containers.allSatisfy { $0.env?.contains(EnvVar(name: "JOB_COMPLETION_INDEX", value: String(index))) == true })
        }
        cluster.advance(to: .seconds(40))
        #expect(cluster.store.jobs["default/explore"]?.status?.completedIndexes == "0-2")
        // The indexes left (3, 4) run next.
        #expect(Set(cluster.pods().filter(\.isActive).compactMap(KubeCluster.completionIndex)) == [3, 4])
        cluster.advance(to: .seconds(100))
        let status = cluster.store.jobs["default/explore"]?.status
        #expect(status?.completedIndexes == "0-4")
        #expect(status?.succeeded == 5)
        #expect(status?.conditions?.first?.type == "Complete")
    }

    @Test func theApiServerRefusesWhatUpstreamRefuses() {
        var (cluster, _) = makeCluster()
        let noCompletions = #expect(throws: KubeError.self) { try cluster.create(Self.indexedJob(completions: nil, parallelism: 2)) }
        #expect(noCompletions?.message.contains("spec.completions: Required value: when completion mode is Indexed") == true)
        let tooMany = #expect(throws: KubeError.self) { try cluster.create(Self.indexedJob(completions: 100_001, parallelism: 2)) }
        #expect(tooMany?.message.contains("must be less than or equal to 100000 when completion mode is Indexed") == true)
        let unknown = #expect(throws: KubeError.self) { try cluster.create(Self.indexedJob(completions: 2, parallelism: 2, mode: "Sometimes")) }
        #expect(unknown?.message.contains("spec.completionMode: Unsupported value: \"Sometimes\"") == true)
    }

    @Test func indexRangesAreWrittenAsUpstreamDoes() {
        #expect(KubeCluster.indexRanges([]) == "")
        #expect(KubeCluster.indexRanges([0, 1, 2, 4, 6, 7]) == "0-2,4,6-7")
        #expect(KubeCluster.indexRanges([3]) == "3")
    }
}
