import Foundation
import SimCore
import Yams

/// A scenario file as a YAML tree that `explore` rewrites: its faults
/// replaced by a schedule, its run shortened, workloads and expectations
/// dropped, its relative paths moved to a new folder. What it writes is a
/// plain scenario that ``ScenarioLoader`` loads (comments are not kept).
public struct ScenarioDocument {
    /// The file it was read from (relative paths inside resolve against its folder).
    public let file: String
    private var root: Node.Mapping

    public enum Failure: Error, CustomStringConvertible, Sendable {
        case unreadable(String)
        public var description: String {
            switch self { case .unreadable(let why): return why }
        }
    }

    /// Reads `file` (already loaded once as a scenario, so it is a mapping).
    public init(file: String) throws(Failure) {
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw .unreadable("\(file): cannot be read")
        }
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch { throw .unreadable("\(file): \(error)") }
        guard let mapping = node?.mapping else { throw .unreadable("\(file): not a YAML mapping") }
        self.file = file
        root = mapping
    }

    // MARK: Edits

    /// Replaces the fault schedule (none: the key is removed).
    public mutating func setFaults(_ faults: [FaultSpec]) {
        root["faults"] = faults.isEmpty ? nil : .sequence(.init(faults.map(Self.node(of:)), .implicit, .block))
    }

    public mutating func setDuration(_ duration: SimDuration) { root["duration"] = Node(duration.description) }

    public mutating func setSeed(_ seed: UInt64) { root["seed"] = Node(String(seed)) }

    /// Removes a top-level section (`explore` from a found scenario: it is not explored again).
    public mutating func removeSection(_ key: String) { root[key] = nil }

    public mutating func setName(_ name: String) { root["name"] = Node(name) }

    public mutating func setDescription(_ text: String) { root["description"] = Node(text, .implicit, .doubleQuoted) }

    /// The workloads' names, in file order.
    public var workloadNames: [String] {
        root["workload"]?.sequence?.compactMap { $0.mapping?["name"]?.string } ?? []
    }

    /// Removes a workload and every expectation entry naming it.
    public mutating func removeWorkload(_ name: String) {
        if var list = root["workload"]?.sequence {
            list = Node.Sequence(Array(list.filter { $0.mapping?["name"]?.string != name }), list.tag, list.style)
            root["workload"] = list.isEmpty ? nil : .sequence(list)
        }
        guard var expect = root["expect"]?.mapping else { return }
        for kind in ["rto", "rpo", "availability"] {
            guard var entries = expect[kind]?.mapping else { continue }
            entries[name] = nil
            expect[kind] = entries.isEmpty ? nil : .mapping(entries)
        }
        root["expect"] = .mapping(expect)
        filterDeclarations { $0 != "rto/\(name)" && $0 != "rpo/\(name)" && $0 != "availability/\(name)" }
    }

    /// Keeps, of the expectations keyed by workload or by name (`rto`,
    /// `rpo`, `availability`, `invariants`, `reachability`), only the one
    /// with identifier `id`; other kinds (capacity, installation) stay.
    /// `expectFailure`/`expectVacuous` keep only the entries still meaningful.
    public mutating func keepOnlyExpectation(_ id: String) {
        guard var expect = root["expect"]?.mapping else { return }
        let parts = id.split(separator: "/", maxSplits: 1).map(String.init)
        let kind = parts.first ?? id, subject = parts.count > 1 ? parts[1] : ""
        for key in ["rto", "rpo", "availability"] {
            guard var entries = expect[key]?.mapping else { continue }
            for entryKey in entries.keys.compactMap(\.string) where !(key == kind && entryKey == subject) {
                entries[entryKey] = nil
            }
            expect[key] = entries.isEmpty ? nil : .mapping(entries)
        }
        if let invariants = expect["invariants"]?.sequence {
            let kept = Array(invariants).filter { kind == "invariant" && $0.string == subject }
            expect["invariants"] = kept.isEmpty ? nil : .sequence(.init(kept, invariants.tag, .flow))
        }
        if kind != "reachability" { expect["reachability"] = nil }
        root["expect"] = expect.isEmpty ? nil : .mapping(expect)
        filterDeclarations { $0 == id || $0 == kind }
    }

    /// Writes `relativeTo`'s view of the file's relative paths (manifests,
    /// the installer's template), for a copy written into another folder.
    public mutating func movePaths(to directory: String) {
        let source = URL(fileURLWithPath: file).deletingLastPathComponent().standardizedFileURL
        let target = URL(fileURLWithPath: directory).standardizedFileURL
        func moved(_ node: Node) -> Node {
            guard let path = node.string, !path.hasPrefix("/") else { return node }
            return Node(Self.relativePath(from: target, to: source.appendingPathComponent(path).standardizedFileURL))
        }
        if var kubernetes = root["kubernetes"]?.mapping, let manifests = kubernetes["manifests"]?.sequence {
            kubernetes["manifests"] = .sequence(.init(manifests.map(moved), manifests.tag, manifests.style))
            root["kubernetes"] = .mapping(kubernetes)
        }
        if var installer = root["installer"]?.mapping, let template = installer["template"] {
            installer["template"] = moved(template)
            root["installer"] = .mapping(installer)
        }
    }

    /// The file's text as it stands, with `header` as leading comment lines.
    public func text(header: [String] = []) throws(Failure) -> String {
        let body: String
        do { body = try Yams.serialize(node: .mapping(root), width: -1) } catch { throw .unreadable("cannot write the scenario: \(error)") }
        return header.map { "# " + $0 + "\n" }.joined() + body
    }

    // MARK: Helpers

    private mutating func filterDeclarations(_ keep: (String) -> Bool) {
        for key in ["expectFailure", "expectVacuous"] {
            guard let list = root[key]?.sequence else { continue }
            let kept = Array(list).filter { $0.string.map(keep) ?? true }
            root[key] = kept.isEmpty ? nil : .sequence(.init(kept, list.tag, list.style))
        }
    }

    /// A fault as scenario format v1 writes it, one flow mapping.
    static func node(of fault: FaultSpec) -> Node {
        var pairs: [(Node, Node)] = [(Node("name"), Node(fault.name)), (Node("action"), Node(fault.action.rawValue)),
                                     (Node("target"), Node(fault.target.name))]
        if let peers = fault.peers {
            pairs.append((Node("peers"), .sequence(.init(peers.map { Node($0.name) }, .implicit, .flow))))
        }
        if let latency = fault.latency { pairs.append((Node("latency"), Node(latency.description))) }
        if let operations = fault.operations {
            pairs.append((Node("operations"), .sequence(.init(operations.map { Node($0) }, .implicit, .flow))))
        }
        if let percentage = fault.percentage {
            pairs.append((Node(fault.action == .networkPacketLoss ? "loss" : "percentage"), Node(Format.percent(percentage))))
        }
        pairs.append((Node("at"), Node(fault.at.description)))
        if let duration = fault.duration { pairs.append((Node("duration"), Node(duration.description))) }
        return .mapping(.init(pairs, .implicit, .flow))
    }

    /// `to` written relative to the folder `from` (both standardized file URLs).
    static func relativePath(from base: URL, to target: URL) -> String {
        let baseParts = base.pathComponents, targetParts = target.pathComponents
        var common = 0
        while common < min(baseParts.count, targetParts.count), baseParts[common] == targetParts[common] { common += 1 }
        let ups = Array(repeating: "..", count: baseParts.count - common)
        return (ups + targetParts[common...]).joined(separator: "/")
    }
}
