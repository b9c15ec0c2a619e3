import SimCore

/// A change set (what `aws cloudformation deploy` creates and executes):
/// CREATE — the stack waits in REVIEW_IN_PROGRESS until it is executed — or
/// UPDATE, whose changes are computed at once (``CloudFormationService/plan(_:_:)``);
/// one that changes nothing is FAILED with AWS's reason.
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
    /// CREATE or UPDATE.
    public var type: String
    /// Why it is FAILED.
    public var statusReason: String?
    /// What executing it does, in dependency order.
    public var changes: [CFNResourceChange]
    /// UPDATE: the request it was made from (prepared again when executed).
    var request: CloudFormationService.CreateStackRequest?
    /// The parameter values it was made with (NoEcho ones masked).
    public var parameters: [(key: String, value: String)] = []

    public static func == (a: CFNChangeSet, b: CFNChangeSet) -> Bool {
        a.changeSetId == b.changeSetId && a.status == b.status && a.executionStatus == b.executionStatus
    }
}

extension CloudFormationService {
    /// CreateChangeSet with ChangeSetType CREATE: the same synchronous checks as
    /// CreateStack; the stack appears in REVIEW_IN_PROGRESS ("User Initiated").
    public mutating func createChangeSet(name: String, type: String, description: String?, _ request: CreateStackRequest,
                                         now: SimInstant) throws(CFNError) -> (changeSetId: String, stackId: String) {
        guard type == "CREATE" || type == "UPDATE" else {
            throw CFNError("ValidationError", type == "IMPORT" ? "odas-sim does not simulate IMPORT change sets (resource import)"
                           : "1 validation error detected: Value '\(type)' at 'changeSetType' failed to satisfy constraint: Member must satisfy enum value set: [IMPORT, UPDATE, CREATE]")
        }
        guard name.first?.isLetter == true, name.count <= 128, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw CFNError("ValidationError", "1 validation error detected: Value '\(name.prefix(128))' at 'changeSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*")
        }
        if type == "UPDATE" { return try createUpdateChangeSet(name: name, description: description, request, now: now) }
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
        let additions = stack.graph.order.compactMap { logicalId in
            stack.resources[logicalId].map { CFNResourceChange(action: .add, logicalId: logicalId, type: $0.type) }
        }
        changeSets[id] = CFNChangeSet(changeSetId: id, changeSetName: name, stackId: stack.stackId, stackName: stack.stackName,
                                      description: description, status: "CREATE_COMPLETE", executionStatus: "AVAILABLE", creationTime: now,
                                      type: "CREATE", changes: additions, parameters: stack.describedParameters)
        return (id, stack.stackId)
    }

    /// CreateChangeSet with ChangeSetType UPDATE: the update's checks now, its changes listed.
    mutating func createUpdateChangeSet(name: String, description: String?, _ request: CreateStackRequest,
                                        now: SimInstant) throws(CFNError) -> (changeSetId: String, stackId: String) {
        let (updated, changes) = try prepareUpdate(request, now: now)
        guard let existing = stacks[updated.stackId] else { throw CFNError("ValidationError", "Stack [\(request.stackName)] does not exist") }
        let empty = Self.isEmptyUpdate(existing, updated, changes)
        let id = "arn:aws:cloudformation:\(request.region):\(account):changeSet/\(name)/\(uuid("changeset/\(name)/\(changeSets.count)"))"
        changeSets[id] = CFNChangeSet(changeSetId: id, changeSetName: name, stackId: existing.stackId, stackName: existing.stackName,
                                      description: description, status: empty ? "FAILED" : "CREATE_COMPLETE",
                                      executionStatus: empty ? "UNAVAILABLE" : "AVAILABLE", creationTime: now, type: "UPDATE",
                                      statusReason: empty ? "The submitted information didn't contain changes. Submit different information to create a change set." : nil,
                                      changes: changes, request: request, parameters: updated.describedParameters)
        return (id, existing.stackId)
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
        if changeSet.type == "UPDATE", var request = changeSet.request {
            guard changeSet.executionStatus == "AVAILABLE" else {
                throw CFNError("InvalidChangeSetStatus", "ChangeSet [\(changeSet.changeSetId)] cannot be executed in its current status of [\(changeSet.executionStatus)]")
            }
            request.disableRollback = disableRollback
            let (updated, _) = try prepareUpdate(request, now: now)
            changeSets[changeSet.changeSetId]?.executionStatus = "EXECUTE_COMPLETE"
            beginUpdate(updated, now: now)
            return
        }
        guard changeSet.executionStatus == "AVAILABLE", stacks[changeSet.stackId]?.status == .reviewInProgress else {
            throw CFNError("InvalidChangeSetStatus", "ChangeSet [\(changeSet.changeSetId)] cannot be executed in its current status of [\(changeSet.executionStatus)]")
        }
        if disableRollback == true { stacks[changeSet.stackId]?.onFailure = "DO_NOTHING" }
        changeSets[changeSet.changeSetId]?.executionStatus = "EXECUTE_COMPLETE"
        begin(changeSet.stackId, now: now)
    }
}
