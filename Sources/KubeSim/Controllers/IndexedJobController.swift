import SimCore

/// Indexed Jobs (`completionMode: Indexed`), as the Job controller runs them
/// (kubernetes.io/docs/concepts/workloads/controllers/job/#completion-mode):
/// each index 0…completions−1 needs one succeeded pod; a pod carries its
/// index in the `batch.kubernetes.io/job-completion-index` annotation and
/// label, the `JOB_COMPLETION_INDEX` environment variable of every container
/// (upstream sets it from the annotation through the downward API; here the
/// value is written in) and the hostname `<job>-<index>`; its name is
/// `<job>-<index>-<random>`. A failed index gets a new pod; the lowest
/// missing indexes are started first; `status.completedIndexes` lists the
/// succeeded ones as ranges (`0-2,4`).
extension KubeCluster {
    /// The index label and annotation key.
    public static let jobCompletionIndexKey = "batch.kubernetes.io/job-completion-index"

    /// The index of a pod of an Indexed Job, if it carries a valid one.
    static func completionIndex(_ pod: Pod) -> Int? {
        pod.metadata.annotations?[jobCompletionIndexKey].flatMap { Int($0) }
    }

    /// Succeeded indexes, whether the Job is done, and the indexes to start
    /// now (at most `room`, lowest first).
    static func indexedPlan(completions: Int, pods: [Pod], room: Int) -> (succeeded: [Int], done: Bool, start: [Int]) {
        var succeeded: Set<Int> = [], active: Set<Int> = []
        for pod in pods {
            guard let index = completionIndex(pod), (0..<completions).contains(index) else { continue }
            if pod.phase == .succeeded { succeeded.insert(index) } else if pod.isActive { active.insert(index) }
        }
        let missing = (0..<completions).filter { !succeeded.contains($0) && !active.contains($0) }
        return (succeeded.sorted(), succeeded.count >= completions, Array(missing.prefix(max(0, room))))
    }

    /// `0-2,4,6-7`.
    static func indexRanges(_ sorted: [Int]) -> String {
        var parts: [String] = []
        var index = 0
        while index < sorted.count {
            var end = index
            while end + 1 < sorted.count, sorted[end + 1] == sorted[end] + 1 { end += 1 }
            parts.append(end == index ? String(sorted[index]) : "\(sorted[index])-\(sorted[end])")
            index = end + 1
        }
        return parts.joined(separator: ",")
    }

    /// The pod template of one index.
    static func indexedTemplate(_ template: PodTemplateSpec, job: String, index: Int) -> PodTemplateSpec {
        var template = template
        if template.metadata == nil { template.metadata = ObjectMeta() }
        var annotations = template.metadata?.annotations ?? [:]
        annotations[jobCompletionIndexKey] = String(index)
        template.metadata?.annotations = annotations
        var labels = template.metadata?.labels ?? [:]
        labels[jobCompletionIndexKey] = String(index)
        template.metadata?.labels = labels
        if template.spec.hostname == nil { template.spec.hostname = "\(job)-\(index)" }
        template.spec.containers = template.spec.containers.map { container in
            var container = container
            var env = container.env ?? []
            if !env.contains(where: { $0.name == "JOB_COMPLETION_INDEX" }) {
                env.append(EnvVar(name: "JOB_COMPLETION_INDEX", value: String(index)))
            }
            container.env = env
            return container
        }
        return template
    }
}
