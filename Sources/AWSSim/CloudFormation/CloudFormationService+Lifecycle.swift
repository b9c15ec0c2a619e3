import Foundation
import SimCore

/// How a stack's resources are created, signalled, failed, rolled back and
/// deleted on virtual time, with the event sequence AWS records
/// (cloudformation-anchors.md §5: resource CREATE_IN_PROGRESS twice — with no
/// reason, then "Resource creation Initiated" — and CREATE_COMPLETE; on failure
/// CREATE_FAILED, "Resource creation cancelled" for siblings in flight,
/// ROLLBACK_IN_PROGRESS, deletion in reverse dependency order, ROLLBACK_COMPLETE).
extension CloudFormationService {
    public mutating func handle(_ event: CFNEvent, services: inout CFNServices, faults: FaultModel, now: SimInstant) {
        switch event {
        case .startResources(let id): startReady(id, &services, faults, now)
        case .resourceCreated(let id, let logicalId):
            guard stacks[id]?.status.isBuilding == true, stacks[id]?.resources[logicalId]?.status?.isBuilding == true else { return }
            if let needed = signalRequirement(id, logicalId), needed.count > 0 {
                let deadline = (stacks[id]?.resources[logicalId]?.lastUpdated ?? now) + needed.timeout
                stacks[id]?.resources[logicalId]?.signalsNeeded = needed.count
                stacks[id]?.resources[logicalId]?.signalDeadline = deadline
                outbox.append((max(deadline, now), .signalTimeout(stackId: id, logicalId: logicalId)))
                if sendsSignalWhenBooted(id, logicalId) {
                    // One signal per instance that boots: the instance itself, or each instance the group launched.
                    var stream = random.stream("boot/\(id)/\(logicalId)")
                    for _ in 0..<needed.count {
                        outbox.append((now + stream.duration(in: Self.bootTime), .bootSignal(stackId: id, logicalId: logicalId)))
                    }
                }
                return
            }
            complete(id, logicalId, at: now)
        case .signalTimeout(let id, let logicalId):
            guard stacks[id]?.status.isBuilding == true, let resource = stacks[id]?.resources[logicalId],
                  resource.status?.isBuilding == true, resource.signalDeadline != nil else { return }
            let type = resource.type
            failResource(id, logicalId, reason: type == "AWS::AutoScaling::AutoScalingGroup"
                         ? "Failed to receive \(resource.signalsNeeded) resource signal(s) for the current batch. Each resource signal timeout is counted as a FAILURE."
                         : "Failed to receive \(resource.signalsNeeded) resource signal(s) within the specified duration", at: now)
        case .stackTimeout(let id):
            guard stacks[id]?.status == .createInProgress else { return }
            let inFlight = (stacks[id]?.resources.values.filter { $0.status == .createInProgress }.map(\.logicalId) ?? []).sorted()
            for logicalId in inFlight {
                record(id, at: now, logicalId: logicalId, status: CFNResourceStatus.createFailed.rawValue, reason: "Resource creation cancelled")
            }
            fail(id, reason: "Stack creation time exceeded the specified timeout.", failed: [], at: now)
        case .bootSignal(let id, let logicalId):
            // An instance signals only if it is still running: an outage of its zone meanwhile means no signal (and the timeout).
            guard let resource = stacks[id]?.resources[logicalId], let state = resource.state else { return }
            let candidates = resource.type == "AWS::AutoScaling::AutoScalingGroup"
                ? (services.autoScaling.groups[state.physicalId]?.instances ?? []) : [state.physicalId]
            guard let sender = candidates.first(where: { instanceId in
                guard let instance = services.ec2.instances[instanceId] else { return false }
                return !resource.signalledBy.contains(instanceId) && faults.isUp(.availabilityZone(instance.availabilityZone))
                    && (instance.state == .running || instance.state == .pending)
            }) else { return }
            stacks[id]?.resources[logicalId]?.signalledBy.append(sender)
            try? signalResource(id, logicalId: logicalId, uniqueId: sender, success: true, now: now)
        case .deleteResources(let id): deleteReady(id, &services, faults, now)
        case .resourceDeleted(let id, let logicalId): finishResourceDeletion(id, logicalId, &services, faults, now)
        case .resourceUpdated(let id, let logicalId): finishResourceUpdate(id, logicalId, now)
        case .rollbackUpdate(let id): rollbackUpdate(id, &services, faults, now)
        }
    }

    // MARK: Creation

    mutating func startReady(_ id: String, _ services: inout CFNServices, _ faults: FaultModel, _ now: SimInstant) {
        if stacks[id]?.status == .updateInProgress {
            updateReady(id, &services, faults, now)
            return
        }
        guard let stack = stacks[id], stack.status == .createInProgress else { return }
        // AWS-specific parameter types are checked after CreateStack returned, as a stack event
        // (cloudformation-anchors.md §5, "Parameter validation failed: … does not exist").
        if stack.resources.values.allSatisfy({ $0.status == nil }), let problem = Self.awsTypedParameterProblem(stack, services) {
            fail(id, reason: "Parameter validation failed: \(problem).", failed: [], at: now)
            return
        }
        for logicalId in stack.graph.order {
            guard let current = stacks[id], current.status == .createInProgress, current.resources[logicalId]?.status == nil else { continue }
            let dependencies = current.graph.dependencies[logicalId] ?? []
            guard dependencies.allSatisfy({ current.resources[$0]?.status == .createComplete }) else { continue }
            start(id, logicalId, &services, faults, now)
        }
        if let done = stacks[id], done.status == .createInProgress, done.resources.values.allSatisfy({ $0.status == .createComplete }) {
            finishCreate(id, now)
        }
    }

    /// Creates a resource (`replacing`: the new physical resource of an update's replacement).
    mutating func start(_ id: String, _ logicalId: String, _ services: inout CFNServices, _ faults: FaultModel, _ now: SimInstant,
                        replacing: Bool = false) {
        guard let stack = stacks[id], let declared = stack.template.resource(logicalId), let type = CFNResourceTypes.all[declared.type] else { return }
        let building = replacing ? CFNResourceStatus.updateInProgress.rawValue : CFNResourceStatus.createInProgress.rawValue
        if !replacing { record(id, at: now, logicalId: logicalId, status: building, reason: nil) }
        let evaluator = CFNEvaluator(context: stack.context, mappings: stack.template.mappings)
        let properties: CFNMap
        do throws(CFNError) {
            guard case .map(let evaluated) = try evaluator.evaluate(.map(declared.properties)) else { return }
            properties = evaluated
        } catch {
            failResource(id, logicalId, reason: error.message, at: now)
            return
        }
        if declared.type == Self.nestedStackType {
            startNested(id, logicalId, properties: properties, s3: services.s3, now: now)
            return
        }
        guard let handler = CFNResourceHandlers.handler(declared.type) else { return }
        let request = resourceRequest(stack, logicalId, declared.type, properties: properties, state: nil, faults, now,
                                      deletionPolicy: declared.deletionPolicy)
        let state: CFNContext.ResourceState
        do throws(CFNError) { state = try handler.create(request, &services) } catch {
            failResource(id, logicalId, reason: error.message, at: now)
            return
        }
        stacks[id]?.resources[logicalId]?.physicalId = state.physicalId
        stacks[id]?.resources[logicalId]?.state = state
        stacks[id]?.context.resources[logicalId] = state
        stacks[id]?.resourceProperties[logicalId] = properties
        record(id, at: now, logicalId: logicalId, status: building, reason: "Resource creation Initiated")
        var stream = random.stream("duration/\(id)/\(logicalId)")
        let range = Self.creationTime(type, properties)
        outbox.append((now + stream.duration(in: range), .resourceCreated(stackId: id, logicalId: logicalId)))
    }

    /// The first value of an AWS-specific parameter type that names nothing in the fakes.
    static func awsTypedParameterProblem(_ stack: CFNStack, _ services: CFNServices) -> String? {
        for parameter in stack.template.parameters {
            guard let type = parameter.awsType, let value = stack.context.parameters[parameter.name] else { continue }
            let values = value.listValue?.compactMap(\.scalarText) ?? value.scalarText.map { [$0] } ?? []
            for item in values {
                let exists: Bool
                switch type {
                case "AWS::EC2::Subnet::Id": exists = services.ec2.subnets[item] != nil
                case "AWS::EC2::VPC::Id": exists = services.ec2.vpcs[item] != nil
                case "AWS::EC2::SecurityGroup::Id": exists = services.ec2.securityGroups[item] != nil
                case "AWS::EC2::SecurityGroup::GroupName": exists = services.ec2.securityGroupID(named: item) != nil
                case "AWS::EC2::Instance::Id": exists = services.ec2.instances[item] != nil
                case "AWS::EC2::AvailabilityZone::Name": exists = stack.context.availabilityZones[stack.context.region]?.contains(item) == true
                case "AWS::Route53::HostedZone::Id": exists = services.route53.zone?.id == item.split(separator: "/").last.map(String.init)
                default: continue // key pairs, images and volumes are not modelled: accepted
                }
                if !exists { return "parameter value \(item) for parameter name \(parameter.name) does not exist" }
            }
        }
        return nil
    }

    /// A type's creation time, adjusted where a property changes it (a Multi-AZ DB instance provisions a standby).
    static func creationTime(_ type: CFNResourceType, _ properties: CFNMap) -> ClosedRange<SimDuration> {
        if type.name == "AWS::RDS::DBInstance", properties["MultiAZ"]?.scalarText == "true" { return span(1_080, 1_500) }
        return type.creation
    }

    /// Success signals a resource waits for, and for how long: a CreationPolicy's
    /// ResourceSignal (Count, default 1; Timeout ISO 8601, default PT5M), or a
    /// WaitCondition's Count (default 1) and Timeout (seconds, at most 43200)
    /// (aws-attribute-creationpolicy.html; aws-resource-cloudformation-waitcondition.html).
    func signalRequirement(_ id: String, _ logicalId: String) -> (count: Int, timeout: SimDuration)? {
        guard let stack = stacks[id], let declared = stack.template.resource(logicalId) else { return nil }
        if let signal = declared.creationPolicy?.mapValue?["ResourceSignal"]?.mapValue {
            let count = Int(signal["Count"]?.scalarText ?? "") ?? 1
            let timeout = signal["Timeout"]?.scalarText.flatMap(Self.iso8601Duration) ?? .minutes(5)
            return (count, min(timeout, .hours(12)))
        }
        if declared.type == "AWS::CloudFormation::WaitCondition" {
            let properties = stack.resourceProperties[logicalId] ?? declared.properties
            let count = Int(properties["Count"]?.scalarText ?? "") ?? 1
            let seconds = Int64(properties["Timeout"]?.scalarText ?? "") ?? 43_200
            return (count, .seconds(min(max(seconds, 1), 43_200)))
        }
        return nil
    }

    /// From running to the end of its user data (cloud-init, cfn-init, the ODAS installer): 45 s to
    /// 2.5 min (model assumption; no published figure).
    static let bootTime = span(45, 150)

    /// An instance whose user data calls cfn-signal (plain or Base64, as Fn::Base64 leaves it).
    func sendsSignalWhenBooted(_ id: String, _ logicalId: String) -> Bool {
        guard let stack = stacks[id], let resource = stack.resources[logicalId] else { return false }
        let userData: String?
        switch resource.type {
        case "AWS::EC2::Instance": userData = stack.resourceProperties[logicalId]?["UserData"]?.scalarText
        case "AWS::AutoScaling::AutoScalingGroup":
            let templateId = stack.resourceProperties[logicalId]?["LaunchTemplate"]?.mapValue?["LaunchTemplateId"]?.scalarText
            userData = stack.context.resources.values.first { $0.type == "AWS::EC2::LaunchTemplate" && $0.physicalId == templateId }?
                .attributes["LaunchTemplateData"]?.mapValue?["UserData"]?.scalarText
        default: userData = nil
        }
        guard let userData else { return false }
        if userData.contains("cfn-signal") { return true }
        guard let data = Data(base64Encoded: userData) else { return false }
        return String(decoding: data, as: UTF8.self).contains("cfn-signal")
    }

    /// `PT15M`, `PT1H30M`, `PT45S`.
    static func iso8601Duration(_ text: String) -> SimDuration? {
        guard text.hasPrefix("PT") else { return nil }
        var total: Int64 = 0
        var number = ""
        for character in text.dropFirst(2) {
            if character.isNumber { number.append(character); continue }
            guard let value = Int64(number) else { return nil }
            switch character {
            case "H": total += value * 3600
            case "M": total += value * 60
            case "S": total += value
            default: return nil
            }
            number = ""
        }
        return number.isEmpty ? .seconds(total) : nil
    }

    mutating func complete(_ id: String, _ logicalId: String, at now: SimInstant) {
        let replaced = stacks[id]?.resources[logicalId]?.status == .updateInProgress
        record(id, at: now, logicalId: logicalId, status: (replaced ? CFNResourceStatus.updateComplete : .createComplete).rawValue, reason: nil)
        outbox.append((now, .startResources(stackId: id)))
    }

    /// Outputs and exports once every resource is complete; a clashing export fails the stack.
    mutating func finishCreate(_ id: String, _ now: SimInstant) {
        guard let stack = stacks[id] else { return }
        let outputs: [CFNStack.Output]
        switch evaluateOutputs(stack) {
        case .failure(let error):
            fail(id, reason: error.message, failed: [], at: now)
            return
        case .success(let evaluated): outputs = evaluated
        }
        if let clash = exportClash(outputs, of: stack) {
            fail(id, reason: clash, failed: [], at: now)
            return
        }
        stacks[id]?.outputs = outputs
        for output in outputs {
            if let name = output.exportName { exports[stack.context.region, default: [:]][name] = Export(name: name, value: output.value, stackId: id) }
        }
        stacks[id]?.status = .createComplete
        record(id, at: now, status: CFNStackStatus.createComplete.rawValue, reason: nil)
        if let child = stacks[id] { nestedCreated(child, at: now) }
    }

    // MARK: Failure and rollback

    mutating func failResource(_ id: String, _ logicalId: String, reason: String, at now: SimInstant) {
        if stacks[id]?.status == .updateInProgress {
            let replacing = stacks[id]?.resources[logicalId]?.status == .updateInProgress
            record(id, at: now, logicalId: logicalId, status: (replacing ? CFNResourceStatus.updateFailed : .createFailed).rawValue, reason: reason)
            failUpdate(id, failed: [logicalId], at: now)
            return
        }
        record(id, at: now, logicalId: logicalId, status: CFNResourceStatus.createFailed.rawValue, reason: reason)
        let inFlight = (stacks[id]?.resources.values.filter { $0.status == .createInProgress }.map(\.logicalId) ?? []).sorted()
        for other in inFlight {
            record(id, at: now, logicalId: other, status: CFNResourceStatus.createFailed.rawValue, reason: "Resource creation cancelled")
        }
        fail(id, reason: nil, failed: [logicalId], at: now)
    }

    /// The stack failed to create: DO_NOTHING keeps what exists (CREATE_FAILED);
    /// ROLLBACK and DELETE delete it in reverse dependency order.
    mutating func fail(_ id: String, reason: String?, failed: [String], at now: SimInstant) {
        guard let stack = stacks[id], stack.status == .createInProgress else { return }
        let why = reason ?? "The following resource(s) failed to create: [\(failed.joined(separator: ", "))]. "
        stacks[id]?.failureReason = why
        if stack.onFailure == "DO_NOTHING" {
            stacks[id]?.status = .createFailed
            stacks[id]?.statusReason = why
            record(id, at: now, status: CFNStackStatus.createFailed.rawValue, reason: why)
            return
        }
        let rollbackReason = reason.map { $0 + " Rollback requested by user." } ?? why + "Rollback requested by user."
        stacks[id]?.status = .rollbackInProgress
        stacks[id]?.statusReason = rollbackReason
        record(id, at: now, status: CFNStackStatus.rollbackInProgress.rawValue, reason: rollbackReason)
        outbox.append((now, .deleteResources(stackId: id)))
    }

    // MARK: Deletion (rollback and DeleteStack)

    /// Starts deleting each resource none of whose dependents still exists;
    /// Retain (and RetainExceptOnCreate outside a rollback) skips it.
    mutating func deleteReady(_ id: String, _ services: inout CFNServices, _ faults: FaultModel, _ now: SimInstant) {
        guard let stack = stacks[id], stack.status == .rollbackInProgress || stack.status == .deleteInProgress else { return }
        let rollback = stack.status == .rollbackInProgress
        let gone: (CFNStackResource) -> Bool = { resource in
            resource.physicalId == nil || [.deleteComplete, .deleteSkipped].contains(resource.status)
        }
        for logicalId in stack.graph.order.reversed() {
            guard let current = stacks[id], let resource = current.resources[logicalId], !gone(resource),
                  resource.status != .deleteInProgress, resource.status != .deleteFailed else { continue }
            let dependents = current.graph.dependents(of: logicalId)
            guard dependents.allSatisfy({ current.resources[$0].map(gone) ?? true }) else { continue }
            let policy = current.template.resource(logicalId)?.deletionPolicy ?? "Delete"
            if policy == "Retain" || (policy == "RetainExceptOnCreate" && !rollback) {
                record(id, at: now, logicalId: logicalId, status: CFNResourceStatus.deleteSkipped.rawValue, reason: nil)
                continue
            }
            record(id, at: now, logicalId: logicalId, status: CFNResourceStatus.deleteInProgress.rawValue, reason: nil)
            if resource.type == Self.nestedStackType, let child = resource.physicalId {
                // The nested stack deletes its own resources; its end completes this one (nestedDeleted).
                if stacks[child]?.status.isSettled == true { try? deleteStack(child, now: now) }
                if let done = stacks[child], done.status == .deleteComplete || done.status == .deleteFailed {
                    nestedDeleted(done, at: now)
                }
                continue
            }
            var stream = random.stream("delete/\(id)/\(logicalId)")
            outbox.append((now + stream.duration(in: span(1, 10)), .resourceDeleted(stackId: id, logicalId: logicalId)))
        }
        // Done when nothing is being deleted: the rest is gone, or blocked behind a failed deletion (kept, as AWS keeps it).
        guard let after = stacks[id] else { return }
        if !after.resources.values.contains(where: { $0.status == .deleteInProgress }) { finishDelete(id, at: now, failedReason: nil) }
    }

    mutating func finishResourceDeletion(_ id: String, _ logicalId: String, _ services: inout CFNServices, _ faults: FaultModel, _ now: SimInstant) {
        guard let stack = stacks[id], let resource = stack.resources[logicalId], resource.status == .deleteInProgress,
              let handler = CFNResourceHandlers.handler(resource.type) else { return }
        let request = CFNResourceRequest(logicalId: logicalId, type: resource.type, properties: stack.resourceProperties[logicalId] ?? CFNMap(),
                                         stackName: stack.stackName, region: stack.context.region, account: account, now: now, faults: faults,
                                         generatedName: generatedName(stack, logicalId), state: resource.state,
                                         availabilityZones: (stack.context.availabilityZones[stack.context.region] ?? []).sorted(),
                                         deletionPolicy: stack.template.resource(logicalId)?.deletionPolicy ?? "Delete")
        do throws(CFNError) {
            try handler.delete(request, &services)
            record(id, at: now, logicalId: logicalId, status: CFNResourceStatus.deleteComplete.rawValue, reason: nil)
        } catch {
            record(id, at: now, logicalId: logicalId, status: CFNResourceStatus.deleteFailed.rawValue, reason: error.message)
        }
        deleteReady(id, &services, faults, now)
    }

    /// The end of a rollback or a deletion: failed deletions name their resources.
    mutating func finishDelete(_ id: String, at now: SimInstant, failedReason: String?) {
        guard let stack = stacks[id] else { return }
        let failed = stack.resources.values.filter { $0.status == .deleteFailed }.map(\.logicalId).sorted()
        let reason = failedReason ?? (failed.isEmpty ? nil : "The following resource(s) failed to delete: [\(failed.joined(separator: ", "))]. ")
        switch stack.status {
        case .rollbackInProgress:
            stacks[id]?.status = reason == nil ? .rollbackComplete : .rollbackFailed
            stacks[id]?.statusReason = reason
            record(id, at: now, status: (reason == nil ? CFNStackStatus.rollbackComplete : .rollbackFailed).rawValue, reason: reason)
            if reason == nil, stack.onFailure == "DELETE" {
                record(id, at: now, status: CFNStackStatus.deleteInProgress.rawValue, reason: "User Initiated")
                stacks[id]?.status = .deleteComplete
                stacks[id]?.deletionTime = now
                record(id, at: now, status: CFNStackStatus.deleteComplete.rawValue, reason: nil)
            }
        case .deleteInProgress:
            if let reason {
                stacks[id]?.status = .deleteFailed
                stacks[id]?.statusReason = reason
                record(id, at: now, status: CFNStackStatus.deleteFailed.rawValue, reason: reason)
            } else {
                for output in stack.outputs { if let name = output.exportName { exports[stack.context.region]?[name] = nil } }
                stacks[id]?.status = .deleteComplete
                stacks[id]?.deletionTime = now
                record(id, at: now, status: CFNStackStatus.deleteComplete.rawValue, reason: nil)
            }
        default: return
        }
        // A nested stack tells its parent's resource how it ended.
        guard let ended = stacks[id], ended.parent != nil else { return }
        switch ended.status {
        case .rollbackComplete, .rollbackFailed: nestedFailed(ended, at: now)
        case .deleteComplete, .deleteFailed: nestedDeleted(ended, at: now)
        default: break
        }
    }
}
