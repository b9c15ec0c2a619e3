import SimCore

/// What a stack does next on virtual time (the world schedules these from ``CloudFormationService/outbox``).
public enum CFNEvent: Sendable, Hashable {
    /// Start every resource whose dependencies are complete.
    case startResources(stackId: String)
    /// A resource's creation time has passed.
    case resourceCreated(stackId: String, logicalId: String)
    /// A resource waiting for signals reached its timeout.
    case signalTimeout(stackId: String, logicalId: String)
    /// A resource's deletion time has passed.
    case resourceDeleted(stackId: String, logicalId: String)
    /// Delete every resource whose dependents are gone.
    case deleteResources(stackId: String)
    /// The stack's TimeoutInMinutes passed.
    case stackTimeout(stackId: String)
    /// An instance with a CreationPolicy finished booting: its user data runs cfn-signal.
    case bootSignal(stackId: String, logicalId: String)
    /// An in-place update of a resource has taken its time.
    case resourceUpdated(stackId: String, logicalId: String)
    /// An update failed: restore what it changed.
    case rollbackUpdate(stackId: String)
}

/// CloudFormation in one account: stacks created from templates on virtual
/// time, resource by resource in dependency order (in parallel where the
/// graph allows, ties by logical id), with AWS's events, rollback and
/// deletion, and the region's exports. Resources are made in the AWS fakes by
/// handlers (``CFNResourceHandlers``). Background work leaves through
/// ``outbox``, like the other services.
public struct CloudFormationService: Sendable {
    public struct Export: Sendable, Equatable {
        public var name: String
        public var value: String
        public var stackId: String
    }

    /// CreateStack's input.
    public struct CreateStackRequest: Sendable {
        public var stackName: String
        public var templateBody: String
        public var parameters: [String: String] = [:]
        public var capabilities: [String] = []
        /// ROLLBACK (default), DELETE or DO_NOTHING.
        public var onFailure: String?
        public var disableRollback: Bool?
        public var timeoutInMinutes: Int?
        public var region: String
        /// Updates: parameters that keep the stack's current value (`UsePreviousValue`), and `UsePreviousTemplate`.
        public var usePreviousValues: Set<String> = []
        public var usePreviousTemplate = false

        public init(stackName: String, templateBody: String, region: String) {
            self.stackName = stackName
            self.templateBody = templateBody
            self.region = region
        }
    }

    public let account: String
    public internal(set) var stacks: [String: CFNStack] = [:]
    /// Stack ids in creation order.
    public internal(set) var stackOrder: [String] = []
    /// Exports by region, then name.
    public internal(set) var exports: [String: [String: Export]] = [:]
    public var outbox: [(at: SimInstant, event: CFNEvent)] = []
    /// Change sets by id.
    public internal(set) var changeSets: [String: CFNChangeSet] = [:]
    /// Each region's AZs, for Fn::GetAZs (the fault model's list).
    public var availabilityZones: [String: [String]] = [:]
    var random: SimRandom

    public init(account: String, random: SimRandom) {
        self.account = account
        self.random = random
    }

    /// The stack a name or stack id names: by id any stack, by name the one not deleted.
    public func stack(_ nameOrId: String) -> CFNStack? {
        if let stack = stacks[nameOrId] { return stack }
        return stackOrder.reversed().compactMap { stacks[$0] }.first { $0.stackName == nameOrId && $0.status != .deleteComplete }
    }

    /// CreateStack: every check AWS makes before it returns (name, template,
    /// capabilities, parameters, conditions, graph, imports) throws a
    /// ValidationError and leaves no stack; then creation runs on virtual time.
    public mutating func createStack(_ request: CreateStackRequest, now: SimInstant) throws(CFNError) -> String {
        let stack = try prepare(request, now: now)
        stacks[stack.stackId] = stack
        stackOrder.append(stack.stackId)
        begin(stack.stackId, now: now)
        return stack.stackId
    }

    /// Starts creating a prepared stack (CreateStack, or ExecuteChangeSet of a CREATE change set).
    mutating func begin(_ stackId: String, now: SimInstant) {
        stacks[stackId]?.status = .createInProgress
        record(stackId, at: now, status: CFNStackStatus.createInProgress.rawValue, reason: "User Initiated")
        outbox.append((now, .startResources(stackId: stackId)))
        if let timeout = stacks[stackId]?.timeout { outbox.append((now + timeout, .stackTimeout(stackId: stackId))) }
    }

    /// Every synchronous check of CreateStack and CreateChangeSet; the stack, not yet stored.
    mutating func prepare(_ request: CreateStackRequest, now: SimInstant) throws(CFNError) -> CFNStack {
        let name = request.stackName
        guard Self.isValidStackName(name) else {
            throw CFNError("ValidationError", "1 validation error detected: Value '\(name.prefix(128))' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*")
        }
        if stack(name) != nil { throw CFNError("AlreadyExistsException", "Stack [\(name)] already exists") }
        if request.onFailure != nil, request.disableRollback != nil {
            throw CFNError("ValidationError", "You can specify either DisableRollback or OnFailure, but not both.")
        }
        if let onFailure = request.onFailure, !["ROLLBACK", "DELETE", "DO_NOTHING"].contains(onFailure) {
            throw CFNError("ValidationError", "1 validation error detected: Value '\(onFailure)' at 'onFailure' failed to satisfy constraint: Member must satisfy enum value set: [ROLLBACK, DELETE, DO_NOTHING]")
        }
        if let key = request.usePreviousValues.sorted().first {
            throw CFNError("ValidationError", "Invalid input for parameter key \(key). Cannot specify usePreviousValue as true for a parameter key in a new stack")
        }
        let stackId = "arn:aws:cloudformation:\(request.region):\(account):stack/\(name)/\(uuid("stack/\(name)/\(stackOrder.count)"))"
        return try build(request, stackId: stackId, now: now)
    }

    /// The template's checks (capabilities, parameters, conditions, graph,
    /// imports) and the stack they make, not yet stored: for a new stack, or
    /// the new version of one being updated.
    func build(_ request: CreateStackRequest, stackId: String, now: SimInstant) throws(CFNError) -> CFNStack {
        let name = request.stackName
        let template = try CFNTemplate.parse(request.templateBody)
        let validation = try CFNValidation.validate(template)
        let missing = validation.capabilities.filter { needed in
            !request.capabilities.contains(needed) && !(needed == "CAPABILITY_IAM" && request.capabilities.contains("CAPABILITY_NAMED_IAM"))
        }
        if !missing.isEmpty {
            throw CFNError("InsufficientCapabilitiesException", "Requires capabilities : [\(missing.joined(separator: ", "))]")
        }
        let values = try CFNValidation.resolveParameters(template, given: request.parameters)
        var context = CFNContext(accountId: account, region: request.region, stackName: name, stackId: stackId)
        context.parameters = values
        context.availabilityZones = availabilityZones
        context.exports = (exports[request.region] ?? [:]).mapValues(\.value)
        context.transforms = template.transforms
        context.conditions = try CFNValidation.evaluateConditions(template, context)
        let included = Set(template.resources.filter { $0.condition.map { context.conditions[$0] ?? false } ?? true }.map(\.logicalId))
        context.excluded = Set(template.resources.map(\.logicalId)).subtracting(included)
        let graph = try CFNGraph.build(template, included: included, conditions: context.conditions)
        let imports = try Self.importedNames(template, CFNEvaluator(context: context, mappings: template.mappings))
        var resources: [String: CFNStackResource] = [:]
        for resource in template.resources where included.contains(resource.logicalId) {
            resources[resource.logicalId] = CFNStackResource(logicalId: resource.logicalId, type: resource.type, lastUpdated: now)
        }
        let onFailure = request.disableRollback == true ? "DO_NOTHING" : (request.onFailure ?? "ROLLBACK")
        var stack = CFNStack(stackId: stackId, stackName: name, template: template,
                             parameters: template.parameters.map { ($0.name, request.parameters[$0.name] ?? $0.defaultValue ?? "") },
                             status: .createInProgress, creationTime: now, onFailure: onFailure,
                             timeout: request.timeoutInMinutes.map { .minutes(Int64($0)) }, capabilities: request.capabilities,
                             resources: resources, graph: graph, context: context)
        stack.imports = imports
        return stack
    }

    /// DeleteStack: deletion runs on virtual time; a stack whose export another
    /// stack imports fails to delete ("Export … cannot be deleted as it is in use by …").
    public mutating func deleteStack(_ nameOrId: String, now: SimInstant) throws(CFNError) {
        guard let stack = stack(nameOrId) else { return } // deleting a stack that does not exist succeeds, as on AWS
        guard stack.status != .deleteComplete, stack.status != .deleteInProgress else { return }
        guard stack.status.isSettled else {
            throw CFNError("ValidationError", "Stack [\(stack.stackName)] cannot be deleted while in status \(stack.status.rawValue) (odas-sim does not cancel an operation in progress)")
        }
        record(stack.stackId, at: now, status: CFNStackStatus.deleteInProgress.rawValue, reason: "User Initiated")
        stacks[stack.stackId]?.status = .deleteInProgress
        // Deleting a DELETE_FAILED stack again retries the resources that failed.
        for (logicalId, resource) in stack.resources where resource.status == .deleteFailed {
            stacks[stack.stackId]?.resources[logicalId]?.status = .createComplete
        }
        let exported = stack.outputs.compactMap(\.exportName)
        for name in exported {
            if let importer = stackOrder.compactMap({ stacks[$0] }).first(where: { $0.stackId != stack.stackId && $0.status != .deleteComplete && $0.imports.contains(name) }) {
                finishDelete(stack.stackId, at: now, failedReason: "Export \(name) cannot be deleted as it is in use by \(importer.stackName)")
                return
            }
        }
        outbox.append((now, .deleteResources(stackId: stack.stackId)))
    }

    /// SignalResource (cfn-signal): a SUCCESS or FAILURE signal for a resource waiting on its CreationPolicy or a WaitCondition.
    public mutating func signalResource(_ nameOrId: String, logicalId: String, uniqueId: String, success: Bool, now: SimInstant) throws(CFNError) {
        guard let stack = stack(nameOrId) else { throw CFNError("ValidationError", "Stack [\(nameOrId)] does not exist") }
        guard let resource = stack.resources[logicalId] else {
            throw CFNError("ValidationError", "Resource [\(logicalId)] does not exist for stack [\(stack.stackName)]")
        }
        guard stack.status.isBuilding, resource.status?.isBuilding == true, resource.signalDeadline != nil else {
            throw CFNError("ValidationError", "Resource \(logicalId) is in \(resource.status?.rawValue ?? "no") state and cannot be signaled")
        }
        let id = stack.stackId
        record(id, at: now, logicalId: logicalId, status: (resource.status ?? .createInProgress).rawValue,
               reason: "Received \(success ? "SUCCESS" : "FAILURE") signal with UniqueId \(uniqueId)")
        if !success {
            failResource(id, logicalId, reason: "Received FAILURE signal with UniqueId \(uniqueId)", at: now)
            return
        }
        stacks[id]?.resources[logicalId]?.signalsNeeded -= 1
        if (stacks[id]?.resources[logicalId]?.signalsNeeded ?? 0) <= 0 {
            stacks[id]?.resources[logicalId]?.signalDeadline = nil
            complete(id, logicalId, at: now)
        }
    }

    // MARK: Names and ids

    /// Stack names: a letter, then letters, digits and hyphens, at most 128 characters.
    static func isValidStackName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, (1...128).contains(bytes.count), (first >= 65 && first <= 90) || (first >= 97 && first <= 122) else { return false }
        return bytes.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
    }

    /// A seeded UUID (the same stack in the same run gets the same id).
    mutating func uuid(_ seed: String) -> String {
        var stream = random.stream(seed)
        let a = stream.next(), b = stream.next()
        func hex(_ value: UInt64, _ digits: Int) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: max(0, digits - text.count)) + text.suffix(digits)
        }
        return "\(hex(a >> 32, 8))-\(hex(a >> 16, 4))-4\(hex(a, 3))-\(hex(8 | (b >> 62), 1))\(hex(b >> 48, 3))-\(hex(b, 12))"
    }

    /// The name CloudFormation generates for an unnamed resource: `stack-LogicalId-` and 13 random upper-case letters and digits.
    func generatedName(_ stack: CFNStack, _ logicalId: String) -> String {
        // A replacement (an update) gets a name of its own: the old resource still exists.
        let generation = stack.generations[logicalId] ?? 0
        var stream = random.stream("name/\(stack.stackId)/\(logicalId)" + (generation > 0 ? "/\(generation)" : ""))
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        let suffix = String((0..<13).map { _ in alphabet[Int(stream.next() % UInt64(alphabet.count))] })
        return "\(stack.stackName)-\(logicalId)-\(suffix)"
    }

    /// Every export name the template imports, evaluated now (an import of a missing export fails CreateStack).
    static func importedNames(_ template: CFNTemplate, _ evaluator: CFNEvaluator) throws(CFNError) -> [String] {
        var names: [String] = []
        func walk(_ value: CFNValue) throws(CFNError) {
            switch value {
            case .list(let items): for item in items { try walk(item) }
            case .map(let map):
                if value.functionName == "Fn::ImportValue", let argument = map["Fn::ImportValue"] {
                    guard case .string(let name) = try evaluator.evaluate(argument) else { return }
                    guard evaluator.context.exports[name] != nil else { throw CFNError("ValidationError", "No export named \(name) found") }
                    names.append(name)
                    return
                }
                for (_, item) in map.pairs { try walk(item) }
            default: return
            }
        }
        for resource in template.resources where !evaluator.context.excluded.contains(resource.logicalId) { try walk(.map(resource.properties)) }
        for output in template.outputs { try walk(output.value) }
        return Array(Set(names)).sorted()
    }

    /// Appends an event (a stack event when `logicalId` is nil). With
    /// `former`, the event is about a physical resource the logical id no
    /// longer names (an update's cleanup), and the resource's status stays.
    mutating func record(_ stackId: String, at now: SimInstant, logicalId: String? = nil, status: String, reason: String?,
                         former: (physicalId: String, type: String)? = nil) {
        guard var stack = stacks[stackId] else { return }
        stack.eventCounter += 1
        let resource = logicalId.flatMap { stack.resources[$0] }
        let eventId = logicalId.map { "\($0)-\(status)-\(now.nanosecondsSinceStart)" + (former.map { "-" + $0.physicalId.suffix(12) } ?? "") }
            ?? uuid("event/\(stackId)/\(stack.eventCounter)")
        stack.events.append(CFNStackEvent(eventId: eventId, stackId: stackId, stackName: stack.stackName,
                                          logicalResourceId: logicalId ?? stack.stackName,
                                          physicalResourceId: logicalId == nil ? stackId : (former?.physicalId ?? resource?.physicalId ?? ""),
                                          resourceType: former?.type ?? resource?.type ?? "AWS::CloudFormation::Stack", timestamp: now,
                                          resourceStatus: status, resourceStatusReason: reason))
        if former == nil, let logicalId, let status = CFNResourceStatus(rawValue: status) {
            stack.resources[logicalId]?.status = status
            stack.resources[logicalId]?.statusReason = reason
            stack.resources[logicalId]?.lastUpdated = now
        }
        stacks[stackId] = stack
    }
}
