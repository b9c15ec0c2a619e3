/// The Kubernetes objects of an ODAS cluster, as JSON manifests (what the
/// Helm chart would render): a Namespace, then per component a Deployment
/// (ZooKeeper: a StatefulSet with a headless Service) and a Service.
///
/// JSON text with keys in a fixed order, so the objects are the same in
/// every process; decode each with KubeSim's `KubeObjectDecoding`.
public enum ODASManifests {
    /// The manifests, in the order they are applied.
    public static func render(_ spec: ODASDeploymentSpec) -> [String] {
        var out = [#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":\#(quote(spec.namespace))}}"#]
        for component in spec.components {
            out.append(workload(component, spec: spec))
            out.append(service(component, spec: spec))
        }
        return out
    }

    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func workload(_ c: ODASDeploymentSpec.Component, spec: ODASDeploymentSpec) -> String {
        let name = c.component.objectName
        let labels = #"{"app":\#(quote(name)),"app.kubernetes.io/part-of":"odas"}"#
        var podSpec: [String] = []
        if c.zoneSpread {
            podSpec.append(#""topologySpreadConstraints":[{"maxSkew":1,"topologyKey":"topology.kubernetes.io/zone","whenUnsatisfiable":"ScheduleAnyway","labelSelector":{"matchLabels":{"app":\#(quote(name))}}}]"#)
        }
        if let zones = c.zones, !zones.isEmpty {
            let values = zones.map(quote).joined(separator: ",")
            podSpec.append(#""affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"topology.kubernetes.io/zone","operator":"In","values":[\#(values)]}]}]}}}"#)
        }
        let image = quote("okera/odas-\(c.component.rawValue):\(spec.version)")
        podSpec.append(#""containers":[{"name":\#(quote(c.component.rawValue)),"image":\#(image),"ports":[{"containerPort":\#(c.component.port)}],"resources":{"requests":{"cpu":\#(quote(c.cpu)),"memory":\#(quote(c.memory))}}}]"#)
        let template = #"{"metadata":{"labels":\#(labels)},"spec":{\#(podSpec.joined(separator: ","))}}"#
        let kind = c.component.isStatefulSet ? "StatefulSet" : "Deployment"
        let serviceName = c.component.isStatefulSet ? #","serviceName":\#(quote(name))"# : ""
        return #"{"apiVersion":"apps/v1","kind":"\#(kind)","metadata":{"name":\#(quote(name)),"namespace":\#(quote(spec.namespace)),"labels":\#(labels)},"spec":{"replicas":\#(c.replicas)\#(serviceName),"selector":{"matchLabels":{"app":\#(quote(name))}},"template":\#(template)}}"#
    }

    static func service(_ c: ODASDeploymentSpec.Component, spec: ODASDeploymentSpec) -> String {
        let name = c.component.objectName
        let port = c.component.port
        return #"{"apiVersion":"v1","kind":"Service","metadata":{"name":\#(quote(name)),"namespace":\#(quote(spec.namespace))},"spec":{"type":"\#(c.component.serviceType)","selector":{"app":\#(quote(name))},"ports":[{"name":"api","port":\#(port),"targetPort":\#(port)}]}}"#
    }
}
