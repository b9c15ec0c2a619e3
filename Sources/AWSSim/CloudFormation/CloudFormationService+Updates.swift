import SimCore

/// One change an update makes, as a change set lists it (DescribeChangeSet's `ResourceChange`).
public struct CFNResourceChange: Sendable, Equatable {
    public enum Action: String, Sendable { case add = "Add", modify = "Modify", remove = "Remove" }
    public var action: Action
    public var logicalId: String
    public var physicalId: String?
    public var type: String
    /// Modify: `True` (a new physical resource), `False` (in place) or
    /// `Conditional` (only if a resource it refers to is replaced, or what it
    /// refers to does not exist yet).
    public var replacement: String?
    /// Modify: the top-level properties whose evaluated values change.
    public var properties: [String] = []
}

/// An immutable copy of a stack as it was before an update (what a rollback restores).
final class CFNStackSnapshot: Sendable {
    let stack: CFNStack
    init(_ stack: CFNStack) { self.stack = stack }
}

/// What an update in progress changes, and what a rollback restores.
struct CFNStackUpdate: Sendable {
    enum Step: Sendable {
        /// A resource new in the template, created.
        case added(String)
        /// Updated in place: its properties and state before.
        case updated(String, before: CFNMap, state: CFNContext.ResourceState)
        /// Replaced: the old resource (deleted in the cleanup) and its properties.
        case replaced(String, old: CFNStackResource, properties: CFNMap)
    }

    let previous: CFNStackSnapshot
    /// Logical ids this update has dealt with (unchanged, updated, replaced or added).
    var settled: Set<String> = []
    /// Started and not complete yet.
    var inFlight: Set<String> = []
    var steps: [Step] = []
    /// In the old template and not in the new, in the old graph's reverse order: deleted in the cleanup.
    var removed: [String]
}

/// Stack updates (UpdateStack, UPDATE change sets): each resource of the new
/// template is compared, in dependency order, with what the stack made —
/// properties evaluated against the resources as they are. A new logical id
/// is created; a changed one is updated in place when every changed property
/// is one its type updates without replacement, and replaced otherwise (the
/// new resource first, with a fresh generated name; a custom-named resource
/// cannot be replaced); an unchanged one is left alone, with no event. Then
/// UPDATE_COMPLETE_CLEANUP_IN_PROGRESS deletes what was replaced and what
/// the template no longer has, and the stack is UPDATE_COMPLETE. A failure
/// rolls back: in-place updates are undone, what the update created is
/// deleted, and the stack is UPDATE_ROLLBACK_COMPLETE with its previous
/// template, parameters and outputs
/// (AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html).
extension CloudFormationService {
    /// UpdateStack: the same checks as CreateStack against the stack as it is;
    /// "No updates are to be performed." when nothing would change.
    public mutating func updateStack(_ request: CreateStackRequest, now: SimInstant) throws(CFNError) -> String {
        let (updated, changes) = try prepareUpdate(request, now: now)
        guard let existing = stacks[updated.stackId], !Self.isEmptyUpdate(existing, updated, changes) else {
            throw CFNError("ValidationError", "No updates are to be performed.")
        }
        beginUpdate(updated, now: now)
        return updated.stackId
    }

    /// The stack's next version (not stored) and what it changes; every error UpdateStack returns synchronously.
    func prepareUpdate(_ given: CreateStackRequest, now: SimInstant) throws(CFNError) -> (CFNStack, [CFNResourceChange]) {
        guard let existing = stack(given.stackName), existing.status != .reviewInProgress else {
            throw CFNError("ValidationError", "Stack [\(given.stackName)] does not exist")
        }
        guard existing.status.acceptsUpdate else {
            throw CFNError("ValidationError", "Stack:\(existing.stackId) is in \(existing.status.rawValue) state and can not be updated.")
        }
        var request = given
        if request.usePreviousTemplate { request.templateBody = existing.template.body }
        for key in request.usePreviousValues.sorted() {
            guard let previous = existing.parameters.first(where: { $0.key == key }) else {
                throw CFNError("ValidationError", "Invalid input for parameter key \(key). Cannot specify usePreviousValue as true for non existing parameter key \(key)")
            }
            request.parameters[key] = previous.value
        }
        var updated = try build(request, stackId: existing.stackId, now: now)
        let retyped = updated.resources.keys.filter { key in existing.resources[key].map { $0.type != updated.resources[key]?.type } ?? false }.sorted()
        guard retyped.isEmpty else {
            throw CFNError("ValidationError", "Update of resource type is not permitted. The new template modifies resource type of the following resources: [\(retyped.joined(separator: ", "))]")
        }
        updated.creationTime = existing.creationTime
        updated.events = existing.events
        updated.eventCounter = existing.eventCounter
        updated.parent = existing.parent
        updated.rootId = existing.rootId
        updated.outputs = existing.outputs
        updated.generations = existing.generations
        updated.lastUpdatedTime = existing.lastUpdatedTime
        updated.onFailure = given.disableRollback == true ? "DO_NOTHING" : "ROLLBACK"
        // What exists keeps its physical resource, state and properties.
        for (logicalId, resource) in existing.resources where updated.resources[logicalId] != nil && resource.physicalId != nil {
            updated.resources[logicalId] = resource
            updated.context.resources[logicalId] = existing.context.resources[logicalId]
            updated.resourceProperties[logicalId] = existing.resourceProperties[logicalId]
        }
        return (updated, plan(existing, updated))
    }

    /// Nothing to do: no resource changes, and the same template and parameters.
    static func isEmptyUpdate(_ existing: CFNStack, _ updated: CFNStack, _ changes: [CFNResourceChange]) -> Bool {
        changes.isEmpty && existing.template.body == updated.template.body
            && existing.parameters.map { "\($0.key)=\($0.value)" } == updated.parameters.map { "\($0.key)=\($0.value)" }
    }

    /// The changes a change set lists, in the new template's dependency order, then the removals.
    func plan(_ existing: CFNStack, _ updated: CFNStack) -> [CFNResourceChange] {
        var changes: [CFNResourceChange] = []
        var replaced: Set<String> = []
        let evaluator = CFNEvaluator(context: updated.context, mappings: updated.template.mappings)
        for logicalId in updated.graph.order {
            guard let declared = updated.template.resource(logicalId) else { continue }
            guard let old = existing.resources[logicalId], old.physicalId != nil, let before = existing.resourceProperties[logicalId] else {
                changes.append(CFNResourceChange(action: .add, logicalId: logicalId, type: declared.type))
                continue
            }
            let refersToReplaced = !Set(updated.graph.dependencies[logicalId] ?? []).isDisjoint(with: replaced)
            guard let evaluated = try? evaluator.evaluate(.map(declared.properties)), case .map(let after) = evaluated else {
                // It refers to an attribute of a resource not created yet: it changes once that exists.
                changes.append(CFNResourceChange(action: .modify, logicalId: logicalId, physicalId: old.physicalId, type: declared.type,
                                                 replacement: "Conditional"))
                continue
            }
            let changed = Self.changedProperties(before, after)
            if changed.isEmpty {
                if refersToReplaced {
                    changes.append(CFNResourceChange(action: .modify, logicalId: logicalId, physicalId: old.physicalId, type: declared.type,
                                                     replacement: "Conditional"))
                }
                continue
            }
            let inPlace = Set(changed).isSubset(of: CFNResourceHandlers.handler(declared.type)?.updatableProperties(declared.type) ?? [])
            if !inPlace { replaced.insert(logicalId) }
            changes.append(CFNResourceChange(action: .modify, logicalId: logicalId, physicalId: old.physicalId, type: declared.type,
                                             replacement: inPlace ? "False" : "True", properties: changed))
        }
        for logicalId in existing.graph.order where updated.resources[logicalId] == nil {
            guard let old = existing.resources[logicalId], old.physicalId != nil else { continue }
            changes.append(CFNResourceChange(action: .remove, logicalId: logicalId, physicalId: old.physicalId, type: old.type))
        }
        return changes
    }

    /// Top-level properties whose values differ, sorted.
    static func changedProperties(_ before: CFNMap, _ after: CFNMap) -> [String] {
        Set(before.keys + after.keys).filter { before[$0] != after[$0] }.sorted()
    }

    /// The name property that makes a resource custom-named: replacing one
    /// whose name stays the same would clash with itself, so the update fails.
    static let customNameProperty = [
        "AWS::S3::Bucket": "BucketName", "AWS::IAM::Role": "RoleName", "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
        "AWS::IAM::InstanceProfile": "InstanceProfileName", "AWS::IAM::User": "UserName", "AWS::IAM::Group": "GroupName",
        "AWS::EC2::SecurityGroup": "GroupName", "AWS::EC2::LaunchTemplate": "LaunchTemplateName",
        "AWS::AutoScaling::AutoScalingGroup": "AutoScalingGroupName", "AWS::AutoScaling::LaunchConfiguration": "LaunchConfigurationName",
        "AWS::RDS::DBInstance": "DBInstanceIdentifier", "AWS::RDS::DBCluster": "DBClusterIdentifier",
        "AWS::RDS::DBSubnetGroup": "DBSubnetGroupName", "AWS::KMS::Alias": "AliasName",
        "AWS::ElasticLoadBalancingV2::LoadBalancer": "Name", "AWS::ElasticLoadBalancingV2::TargetGroup": "Name",
        "AWS::EKS::Cluster": "Name", "AWS::EKS::Nodegroup": "NodegroupName",
    ]

    /// Starts an update prepared by ``prepareUpdate(_:now:)``.
    mutating func beginUpdate(_ updated: CFNStack, now: SimInstant) {
        guard let existing = stacks[updated.stackId] else { return }
        var stack = updated
        let removed = existing.graph.order.reversed().filter { updated.resources[$0] == nil && existing.resources[$0]?.physicalId != nil }
        stack.update = CFNStackUpdate(previous: CFNStackSnapshot(existing), removed: removed)
        stack.status = .updateInProgress
        stack.statusReason = nil
        stack.lastUpdatedTime = now
        stacks[stack.stackId] = stack
        record(stack.stackId, at: now, status: CFNStackStatus.updateInProgress.rawValue, reason: "User Initiated")
        outbox.append((now, .startResources(stackId: stack.stackId)))
    }
}
