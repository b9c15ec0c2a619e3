/// Name and field validation as the apiserver does it (k8s.io/apimachinery/pkg/util/validation).
public enum Validation {
    static let dns1123LabelMessage = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    static let dns1123SubdomainMessage = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    static let dns1035LabelMessage = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"

    private static func isAlnum(_ b: UInt8) -> Bool { (b >= 97 && b <= 122) || (b >= 48 && b <= 57) }

    /// RFC 1123 label: at most 63 lowercase alphanumerics or '-', alphanumeric at both ends.
    public static func isDNS1123Label(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard !b.isEmpty, b.count <= 63, let first = b.first, let last = b.last, isAlnum(first), isAlnum(last) else { return false }
        return b.allSatisfy { isAlnum($0) || $0 == 45 }
    }

    /// RFC 1123 subdomain: at most 253 characters, dot-separated labels.
    public static func isDNS1123Subdomain(_ s: String) -> Bool {
        guard !s.isEmpty, s.utf8.count <= 253 else { return false }
        return s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
            let b = Array(part.utf8)
            guard let first = b.first, let last = b.last, isAlnum(first), isAlnum(last) else { return false }
            return b.allSatisfy { isAlnum($0) || $0 == 45 }
        }
    }

    /// RFC 1035 label (Service names): a letter first.
    public static func isDNS1035Label(_ s: String) -> Bool {
        guard isDNS1123Label(s), let first = s.utf8.first else { return false }
        return first >= 97 && first <= 122
    }

    /// Errors for `metadata.name` under the rule of `kind`.
    static func nameErrors(_ name: String, kind: KubeKind) -> [FieldError] {
        switch kind {
        case .namespace:
            var errors: [FieldError] = []
            if !isDNS1123Label(name) {
                errors.append(.invalidString("metadata.name", name, dns1123LabelMessage))
                if name.utf8.count > 63 { errors.append(.invalidString("metadata.name", name, "must be no more than 63 characters")) }
            }
            return errors
        case .service:
            return isDNS1035Label(name) ? [] : [.invalidString("metadata.name", name, dns1035LabelMessage)]
        default:
            var errors: [FieldError] = []
            if !isDNS1123Subdomain(name) {
                errors.append(.invalidString("metadata.name", name, dns1123SubdomainMessage))
                if name.utf8.count > 253 { errors.append(.invalidString("metadata.name", name, "must be no more than 253 characters")) }
            }
            return errors
        }
    }

    /// Label keys (qualified names, optional DNS prefix) and values (≤ 63, alphanumeric ends, `-_.` inside).
    static func labelErrors(_ labels: [String: String]?, field: String) -> [FieldError] {
        guard let labels else { return [] }
        var errors: [FieldError] = []
        for (key, value) in labels.sorted(by: { $0.key < $1.key }) {
            if !isQualifiedName(key) {
                errors.append(.invalidString(field, key, "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"))
            }
            if !isLabelValue(value) {
                errors.append(.invalidString(field, value, "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"))
            }
        }
        return errors
    }

    private static func isNamePart(_ s: Substring) -> Bool {
        let b = Array(s.utf8)
        guard !b.isEmpty, b.count <= 63 else { return false }
        func an(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
        guard let f = b.first, let l = b.last, an(f), an(l) else { return false }
        return b.allSatisfy { an($0) || $0 == 45 || $0 == 95 || $0 == 46 }
    }

    static func isQualifiedName(_ s: String) -> Bool {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return isNamePart(parts[0])
        case 2: return isDNS1123Subdomain(String(parts[0])) && isNamePart(parts[1])
        default: return false
        }
    }

    static func isLabelValue(_ s: String) -> Bool { s.isEmpty || isNamePart(Substring(s)) }

    static func selectorErrors(_ selector: LabelSelector?, field: String) -> [FieldError] {
        guard let selector else { return [.required(field)] }
        var errors = labelErrors(selector.matchLabels, field: "\(field).matchLabels")
        for (i, e) in (selector.matchExpressions ?? []).enumerated() {
            let f = "\(field).matchExpressions[\(i)]"
            switch e.operator {
            case "In", "NotIn":
                if (e.values ?? []).isEmpty { errors.append(.required("\(f).values", "must be specified when `operator` is 'In' or 'NotIn'")) }
            case "Exists", "DoesNotExist":
                if !(e.values ?? []).isEmpty { errors.append(.forbidden("\(f).values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'")) }
            default:
                errors.append(.invalidString("\(f).operator", e.operator, "not a valid selector operator"))
            }
        }
        if (selector.matchLabels ?? [:]).isEmpty && (selector.matchExpressions ?? []).isEmpty {
            errors.append(.invalid(field, "{}", "empty selector is invalid for deployment"))
        }
        return errors
    }

    static func podSpecErrors(_ spec: PodSpec, field: String) -> [FieldError] {
        var errors: [FieldError] = []
        if spec.containers.isEmpty { errors.append(.required("\(field).containers")) }
        var seen = Set<String>()
        for (i, c) in spec.containers.enumerated() {
            let f = "\(field).containers[\(i)]"
            if c.name.isEmpty { errors.append(.required("\(f).name")) } else if !isDNS1123Label(c.name) {
                errors.append(.invalidString("\(f).name", c.name, dns1123LabelMessage))
            } else if !seen.insert(c.name).inserted {
                errors.append(FieldError(type: .duplicate, field: "\(f).name", value: "\"\(c.name)\"", detail: nil))
            }
            if (c.image ?? "").isEmpty { errors.append(.required("\(f).image")) }
            for (resource, q) in (c.resources?.requests ?? [:]).sorted(by: { $0.key < $1.key }) where q.milliValue < 0 {
                errors.append(.invalidString("\(f).resources.requests[\(resource)]", q.text, "must be greater than or equal to 0"))
            }
        }
        for (i, t) in (spec.tolerations ?? []).enumerated() {
            let f = "\(field).tolerations[\(i)]"
            let op = t.operator ?? "Equal"
            if op != "Equal" && op != "Exists" && !op.isEmpty { errors.append(.notSupported("\(f).operator", op, ["Equal", "Exists"])) }
            if op == "Exists" && !(t.value ?? "").isEmpty { errors.append(.invalidString("\(f).operator", op, "value must be empty when `operator` is 'Exists'")) }
            if let e = t.effect, !e.isEmpty, !["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(e) {
                errors.append(.notSupported("\(f).effect", e, ["NoExecute", "NoSchedule", "PreferNoSchedule"]))
            }
            if t.tolerationSeconds != nil && t.effect != "NoExecute" {
                errors.append(.invalidString("\(f).effect", t.effect ?? "", "effect must be 'NoExecute' when `tolerationSeconds` is set"))
            }
        }
        for (i, c) in (spec.topologySpreadConstraints ?? []).enumerated() {
            let f = "\(field).topologySpreadConstraints[\(i)]"
            if c.maxSkew < 1 { errors.append(.invalid("\(f).maxSkew", String(c.maxSkew), "must be greater than zero")) }
            if c.topologyKey.isEmpty { errors.append(.required("\(f).topologyKey", "can not be empty")) }
            if c.whenUnsatisfiable != "DoNotSchedule" && c.whenUnsatisfiable != "ScheduleAnyway" {
                errors.append(.notSupported("\(f).whenUnsatisfiable", c.whenUnsatisfiable, ["DoNotSchedule", "ScheduleAnyway"]))
            }
            if let m = c.minDomains {
                if m < 1 { errors.append(.invalid("\(f).minDomains", String(m), "must be greater than 0")) }
                if c.whenUnsatisfiable != "DoNotSchedule" {
                    errors.append(.invalid("\(f).minDomains", String(m), "can only use minDomains if whenUnsatisfiable=DoNotSchedule, not \(c.whenUnsatisfiable)"))
                }
            }
            for (name, value) in [("nodeAffinityPolicy", c.nodeAffinityPolicy), ("nodeTaintsPolicy", c.nodeTaintsPolicy)] {
                if let value, value != "Honor", value != "Ignore" { errors.append(.notSupported("\(f).\(name)", value, ["Honor", "Ignore"])) }
            }
        }
        for (t, term) in (spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []).enumerated() {
            for (i, e) in (term.matchExpressions ?? []).enumerated() {
                let f = "\(field).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[\(t)].matchExpressions[\(i)]"
                errors += nodeRequirementErrors(e, field: f)
            }
        }
        return errors
    }

    static func nodeRequirementErrors(_ e: NodeSelectorRequirement, field f: String) -> [FieldError] {
        let values = e.values ?? []
        switch e.operator {
        case "In", "NotIn":
            return values.isEmpty ? [.required("\(f).values", "must be specified when `operator` is 'In' or 'NotIn'")] : []
        case "Exists", "DoesNotExist":
            return values.isEmpty ? [] : [.forbidden("\(f).values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'")]
        case "Gt", "Lt":
            return values.count == 1 && Int64(values[0]) != nil ? [] : [.required("\(f).values", "must be specified single value when `operator` is 'Lt' or 'Gt'")]
        default:
            return [.invalidString("\(f).operator", e.operator, "not a valid selector operator")]
        }
    }

    static func templateErrors(selector: LabelSelector?, template: PodTemplateSpec?, replicas: Int32?) -> [FieldError] {
        var errors = selectorErrors(selector, field: "spec.selector")
        if let replicas, replicas < 0 { errors.append(.invalid("spec.replicas", String(replicas), "must be greater than or equal to 0")) }
        guard let template else { errors.append(.required("spec.template")); return errors }
        let labels = template.metadata?.labels ?? [:]
        errors += labelErrors(template.metadata?.labels, field: "spec.template.metadata.labels")
        if let selector, !(selector.matchLabels ?? [:]).isEmpty || !(selector.matchExpressions ?? []).isEmpty,
           !Selector(selector).matches(labels) {
            let rendered = "map[string]string{" + labels.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\"\($0.value)\"" }.joined(separator: ", ") + "}"
            errors.append(.invalid("spec.template.metadata.labels", rendered, "`selector` does not match template `labels`"))
        }
        errors += podSpecErrors(template.spec, field: "spec.template.spec")
        return errors
    }
}

extension Pod {
    public func validate() -> [FieldError] { Validation.podSpecErrors(spec, field: "spec") }
}
extension Deployment {
    public func validate() -> [FieldError] {
        var errors = Validation.templateErrors(selector: spec.selector, template: spec.template, replicas: spec.replicas)
        if let type = spec.strategy?.type, type != "RollingUpdate", type != "Recreate" {
            errors.append(.notSupported("spec.strategy.type", type, ["Recreate", "RollingUpdate"]))
        }
        if let ru = spec.strategy?.rollingUpdate {
            let surge = ru.maxSurge?.scaled(total: 100, roundUp: true) ?? 1
            let unavailable = ru.maxUnavailable?.scaled(total: 100, roundUp: false) ?? 1
            if surge == 0 && unavailable == 0 {
                errors.append(.invalidString("spec.strategy.rollingUpdate.maxUnavailable", ru.maxUnavailable?.description ?? "0", "may not be 0 when `maxSurge` is 0"))
            }
            if unavailable > 100, case .string = ru.maxUnavailable {
                errors.append(.invalidString("spec.strategy.rollingUpdate.maxUnavailable", ru.maxUnavailable?.description ?? "", "must not be greater than 100%"))
            }
        }
        return errors
    }
}
extension ReplicaSet {
    public func validate() -> [FieldError] { Validation.templateErrors(selector: spec.selector, template: spec.template, replicas: spec.replicas) }
}
extension StatefulSet {
    public func validate() -> [FieldError] {
        var errors = Validation.templateErrors(selector: spec.selector, template: spec.template, replicas: spec.replicas)
        if let p = spec.podManagementPolicy, p != "OrderedReady", p != "Parallel" {
            errors.append(.notSupported("spec.podManagementPolicy", p, ["OrderedReady", "Parallel"]))
        }
        for (i, claim) in (spec.volumeClaimTemplates ?? []).enumerated() where claim.metadata.name == nil {
            errors.append(.required("spec.volumeClaimTemplates[\(i)].metadata.name"))
        }
        return errors
    }
}
extension DaemonSet {
    public func validate() -> [FieldError] { Validation.templateErrors(selector: spec.selector, template: spec.template, replicas: nil) }
}
extension Job {
    public func validate() -> [FieldError] {
        var errors = Validation.podSpecErrors(spec.template.spec, field: "spec.template.spec")
        let policy = spec.template.spec.restartPolicy ?? "Always"  // defaulted before validation, as upstream
        if policy != "Never" && policy != "OnFailure" {
            errors.append(.notSupported("spec.template.spec.restartPolicy", policy, ["OnFailure", "Never"]))
        }
        if let c = spec.completions, c < 0 { errors.append(.invalid("spec.completions", String(c), "must be greater than or equal to 0")) }
        if let p = spec.parallelism, p < 0 { errors.append(.invalid("spec.parallelism", String(p), "must be greater than or equal to 0")) }
        // pkg/apis/batch/validation: the completion modes, and Indexed's bounds (completions and parallelism at most 10^5).
        if let mode = spec.completionMode, mode != "NonIndexed", mode != "Indexed" {
            errors.append(.notSupported("spec.completionMode", mode, ["Indexed", "NonIndexed"]))
        }
        if spec.completionMode == "Indexed" {
            if spec.completions == nil {
                errors.append(.required("spec.completions", "when completion mode is Indexed"))
            } else if let c = spec.completions, c > 100_000 {
                errors.append(.invalid("spec.completions", String(c), "must be less than or equal to 100000 when completion mode is Indexed"))
            }
            if let p = spec.parallelism, p > 100_000 {
                errors.append(.invalid("spec.parallelism", String(p), "must be less than or equal to 100000 when completion mode is Indexed"))
            }
        }
        return errors
    }
}
extension Service {
    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        let type = spec?.type ?? "ClusterIP"
        if !["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"].contains(type) {
            errors.append(.notSupported("spec.type", type, ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]))
        }
        if type != "ExternalName" && (spec?.ports ?? []).isEmpty && spec?.clusterIP != "None" { errors.append(.required("spec.ports")) }
        for (i, p) in (spec?.ports ?? []).enumerated() where p.port < 1 || p.port > 65535 {
            errors.append(.invalid("spec.ports[\(i)].port", String(p.port), "must be between 1 and 65535, inclusive"))
        }
        return errors
    }
}
extension PersistentVolumeClaim {
    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        if (spec.accessModes ?? []).isEmpty { errors.append(.required("spec.accessModes", "at least 1 access mode is required")) }
        if spec.resources?.requests?["storage"] == nil { errors.append(.required("spec.resources[storage]")) }
        return errors
    }
}
extension PersistentVolume {
    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        if (spec.accessModes ?? []).isEmpty { errors.append(.required("spec.accessModes")) }
        if spec.capacity?["storage"] == nil { errors.append(.required("spec.capacity")) }
        return errors
    }
}
extension StorageClass {
    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        if provisioner.isEmpty { errors.append(.required("provisioner")) }
        if let mode = volumeBindingMode, mode != "Immediate", mode != "WaitForFirstConsumer" {
            errors.append(.notSupported("volumeBindingMode", mode, ["Immediate", "WaitForFirstConsumer"]))
        }
        return errors
    }
}
extension PodDisruptionBudget {
    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        if spec.minAvailable != nil && spec.maxUnavailable != nil {
            errors.append(.invalidString("spec", "", "minAvailable and maxUnavailable cannot be both set"))
        }
        for (name, value) in [("minAvailable", spec.minAvailable), ("maxUnavailable", spec.maxUnavailable)] {
            guard let value else { continue }
            if value.scaled(total: 100, roundUp: true) == nil {
                errors.append(.invalidString("spec.\(name)", value.description, "a valid percent string must be a numeric string followed by an ending '%'"))
            } else if let v = value.scaled(total: 100, roundUp: true), v < 0 {
                errors.append(.invalid("spec.\(name)", value.description, "must be greater than or equal to 0"))
            }
        }
        return errors
    }
}
