import SimCore

/// A change set (what `aws cloudformation deploy` creates and executes).
/// Only CREATE change sets are simulated: a stack whose first change set it
/// is waits in REVIEW_IN_PROGRESS until the change set is executed.
public struct CFNChangeSet: Sendable, Equatable {
    public var changeSetId: String
    public var changeSetName: String
    public var stackId: String
    public var stackName: String
    public var description: String?
    /// CREATE_COMPLETE once computed (at once: the fake computes it synchronously).
    public var status: String
    /// AVAILABLE, then EXECUTE_IN_PROGRESS / EXECUTE_COMPLETE.
    public var executionStatus: String
    public var creationTime: SimInstant
    /// Every resource to add: (logical id, type).
    public var additions: [(logicalId: String, type: String)]

    public static func == (a: CFNChangeSet, b: CFNChangeSet) -> Bool {
        a.changeSetId == b.changeSetId && a.status == b.status && a.executionStatus == b.executionStatus
    }
}

extension CloudFormationService {
    /// CreateChangeSet with ChangeSetType CREATE: the same synchronous checks as
    /// CreateStack; the stack appears in REVIEW_IN_PROGRESS ("User Initiated").
    public mutating func createChangeSet(name: String, type: String, description: String?, _ request: CreateStackRequest,
                                         now: SimInstant) throws(CFNError) -> (changeSetId: String, stackId: String) {
        guard type == "CREATE" else {
            if type == "UPDATE", stack(request.stackName) != nil {
                throw CFNError("ValidationError", "Stack updates (UPDATE change sets) are not simulated by odas-sim yet; delete the stack and create it again")
            }
            throw CFNError("ValidationError", type == "UPDATE" ? "Stack [\(request.stackName)] does not exist"
                           : "1 validation error detected: Value '\(type)' at 'changeSetType' failed to satisfy constraint: Member must satisfy enum value set: [IMPORT, UPDATE, CREATE]")
        }
        guard name.first?.isLetter == true, name.count <= 128, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw CFNError("ValidationError", "1 validation error detected: Value '\(name.prefix(128))' at 'changeSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*")
        }
        if let existing = stack(request.stackName), existing.status != .reviewInProgress {
            throw CFNError("ValidationError", "Stack [\(request.stackName)] already exists and cannot be created again with the changeSet [\(name)].")
        }
        var stack = try prepare(request, now: now)
        if let previous = self.stack(request.stackName) {
            // A new CREATE change set for a stack still in review replaces its template.
            stack.stackId = previous.stackId
            stack.events = previous.events
        }
        stack.status = .reviewInProgress
        let isNew = stacks[stack.stackId] == nil
        stacks[stack.stackId] = stack
        if isNew {
            stackOrder.append(stack.stackId)
            record(stack.stackId, at: now, status: CFNStackStatus.reviewInProgress.rawValue, reason: "User Initiated")
        }
        let id = "arn:aws:cloudformation:\(request.region):\(account):changeSet/\(name)/\(uuid("changeset/\(name)/\(changeSets.count)"))"
        changeSets[id] = CFNChangeSet(changeSetId: id, changeSetName: name, stackId: stack.stackId, stackName: stack.stackName,
                                      description: description, status: "CREATE_COMPLETE", executionStatus: "AVAILABLE", creationTime: now,
                                      additions: stack.graph.order.compactMap { logicalId in stack.resources[logicalId].map { (logicalId, $0.type) } })
        return (id, stack.stackId)
    }

    /// The change set an id, or a name within a stack, names.
    public func changeSet(_ nameOrId: String, stack stackName: String?) -> CFNChangeSet? {
        if let byId = changeSets[nameOrId] { return byId }
        guard let stackName, let stack = stack(stackName) else { return nil }
        return changeSets.values.filter { $0.stackId == stack.stackId && $0.changeSetName == nameOrId }.max { $0.creationTime < $1.creationTime }
    }

    /// ExecuteChangeSet: creation starts as CreateStack's does.
    public mutating func executeChangeSet(_ nameOrId: String, stack stackName: String?, disableRollback: Bool?, now: SimInstant) throws(CFNError) {
        guard let changeSet = changeSet(nameOrId, stack: stackName) else {
            throw CFNError("ChangeSetNotFound", "ChangeSet [\(nameOrId)] does not exist", status: 404)
        }
        guard changeSet.executionStatus == "AVAILABLE", stacks[changeSet.stackId]?.status == .reviewInProgress else {
            throw CFNError("InvalidChangeSetStatus", "ChangeSet [\(changeSet.changeSetId)] cannot be executed in its current status of [\(changeSet.executionStatus)]")
        }
        if disableRollback == true { stacks[changeSet.stackId]?.onFailure = "DO_NOTHING" }
        changeSets[changeSet.changeSetId]?.executionStatus = "EXECUTE_COMPLETE"
        begin(changeSet.stackId, now: now)
    }
}
