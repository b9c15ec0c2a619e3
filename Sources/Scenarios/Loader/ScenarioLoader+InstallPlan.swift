import AWSSim
import Foundation
import ODASModel

/// The installation part of `installer:` — what the installer creates, after
/// its preflight: for ec2, the control-plane and worker instances; for
/// cloudformation, the template, stack name, parameters and attempts.
/// Keys of another kind are refused, so a scenario never says more than runs.
extension ScenarioLoader {
    static let installPlanKeys = ["controlPlane", "nodes", "instanceType", "template", "stackName", "parameters", "attempts",
                                  "timeoutInMinutes"]
    static let maximumTemplateSize = 1_000_000 // CloudFormation's TemplateURL limit (1 MB); TemplateBody is 51,200 bytes.

    static func readInstallPlan(_ r: inout MappingReader, kind: InstallerKind, subnets: [String], scenarioFile: String,
                                into spec: inout InstallerSpec, _ d: inout Diagnostics) {
        let ec2Keys = ["controlPlane", "nodes", "instanceType"]
        let templateKeys = ["template", "stackName", "parameters", "attempts", "timeoutInMinutes"]
        let foreign = kind == .ec2 ? templateKeys : kind == .cloudFormation ? ec2Keys.filter { $0 != "instanceType" } : installPlanKeys
        for key in foreign {
            if let node = r.child(key) { d.error(node, "\(key) is not a setting of the \(kind.rawValue) installer") }
        }
        if let node = r.child("instanceType"), let text = Read.string(node, &d, what: "an EC2 instance type") {
            if text.range(of: #"^[a-z][a-z0-9-]*\.[a-z0-9]+$"#, options: .regularExpression) == nil {
                d.error(node, "\"\(text.prefix(40))\" is not an EC2 instance type (e.g. m5.2xlarge)")
            } else { spec.instanceType = text }
        }
        switch kind {
        case .ec2:
            if let node = r.child("controlPlane"), let count = Read.integer(node, &d, range: 1...7, what: "control-plane instances") {
                // An even count is allowed: it tolerates no more failures than one fewer (the run shows it).
                spec.controlPlaneInstances = Int(count)
            }
            if let node = r.child("nodes"), let count = Read.integer(node, &d, range: 0...100, what: "worker instances") {
                spec.workerInstances = Int(count)
            }
        case .cloudFormation:
            guard let node = r.required("template", &d, hint: "the template file, relative to the scenario, e.g. ../templates/odas-nodes.yaml"),
                  let path = Read.string(node, &d, what: "a template path") else { return }
            guard let body = readTemplateFile(path, node, scenarioFile: scenarioFile, &d) else { return }
            var source = InstallerSpec.TemplateSource(path: path, body: body, stackName: "odas", parameters: [], attempts: 1)
            if let nameNode = r.child("stackName"), let name = Read.string(nameNode, &d, what: "a stack name") {
                // CreateStack: "[a-zA-Z][-a-zA-Z0-9]*", at most 128 characters.
                if name.count <= 128, name.range(of: "^[a-zA-Z][-a-zA-Z0-9]*$", options: .regularExpression) != nil {
                    source.stackName = name
                } else { d.error(nameNode, "a stack name starts with a letter and has only letters, digits and '-' (at most 128)") }
            }
            if let paramsNode = r.child("parameters") {
                if case .mapping(let pairs) = paramsNode.value {
                    for pair in pairs {
                        guard let key = Read.string(pair.key, &d, what: "a parameter name") else { continue }
                        guard let value = Read.string(pair.value, &d, what: "a parameter value") else { continue }
                        source.parameters.append((key, value))
                    }
                } else { d.error(paramsNode, "expected a mapping of template parameters to values, e.g. {NodeCount: \"3\"}") }
            }
            if let node = r.child("attempts"), let count = Read.integer(node, &d, range: 1...5, what: "attempts") { source.attempts = Int(count) }
            if let node = r.child("timeoutInMinutes"), let minutes = Read.integer(node, &d, range: 1...1440, what: "minutes") {
                source.timeoutInMinutes = Int(minutes)
            }
            do {
                let template = try CFNTemplate.parse(body)
                let declared = Set(template.parameters.map(\.name))
                for (key, _) in source.parameters where !declared.contains(key) {
                    d.error(node, "parameter \(key) is not declared by \(path) (it declares \(declared.sorted().joined(separator: ", ")))")
                }
            } catch {
                d.error(node, "template \(path): \(error.code): \(error.message)")
            }
            spec.template = source
        case .eks:
            break
        }
    }

    /// The installer's kind, read ahead of the section (errors are reported when it is read).
    static func peekInstallerKind(_ node: SourceNode) -> InstallerKind? {
        guard case .mapping(let pairs) = node.value else { return nil }
        for pair in pairs {
            if case .scalar(let key, _, _) = pair.key.value, key == "kind", case .scalar(let value, _, _) = pair.value.value {
                return InstallerKind(rawValue: value)
            }
        }
        return nil
    }

    static func readTemplateFile(_ path: String, _ item: SourceNode, scenarioFile: String, _ d: inout Diagnostics) -> String? {
        guard !path.hasPrefix("/") else {
            d.error(item, "template paths are relative to the scenario file, not absolute (\(path.prefix(80)))")
            return nil
        }
        let directory = URL(fileURLWithPath: scenarioFile).deletingLastPathComponent()
        let url = directory.appendingPathComponent(path)
        if let kind = ScenarioLoader.nonRegularKind(url.path) {
            d.error(item, "template \(path) is \(kind), not a template file")
            return nil
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
        guard let size else {
            d.error(item, "template \(path) not found (looked in \(directory.path))")
            return nil
        }
        guard size <= maximumTemplateSize, let data = FileManager.default.contents(atPath: url.path),
              let text = String(data: data, encoding: .utf8), !text.contains("\u{0}") else {
            d.error(item, "template \(path) is not a UTF-8 file of at most \(maximumTemplateSize) bytes (CloudFormation's limit)")
            return nil
        }
        return text
    }
}
