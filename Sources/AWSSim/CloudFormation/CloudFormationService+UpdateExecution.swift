import SimCore

/// An update on virtual time: resources in dependency order (in parallel
/// where the graph allows), the cleanup, and the rollback of a failed update,
/// with AWS's events — UPDATE_IN_PROGRESS / UPDATE_COMPLETE for an in-place
/// update; "Requested update requires the creation of a new physical
/// resource; hence creating one." for a replacement; CREATE_* for an added
/// resource; DELETE_* with the old physical id during the cleanup.
extension CloudFormationService {
    /// Deals with every resource whose dependencies are settled; finishes when all are.
    mutating func updateReady(_ id: String, _ services: inout CFNServices, _ faults: FaultModel, _ now: SimInstant) {
        guard let stack = stacks[id], stack.status == .updateInProgress, var update = stack.update else { return }
        for logicalId in update.inFlight.sorted() where stack.resources[logicalId]?.status?.isComplete == true {
            update.inFlight.remove(logicalId)
            update.settled.insert(logicalId)
        }
        stacks[id]?.update = update
        for logicalId in stack.graph.order {
            guard let current = stacks[id], current.status == .updateInProgress, let progress = current.update,
                  !progress.settled.contains(logicalId), !progress.inFlight.contains(logicalId) else { continue }
            guard (current.graph.dependencies[logicalId] ?? []).allSatisfy({ progress.settled.contains($0) }) else { continue }
            updateResource(id, logicalId, &services, faults, now)
        }
        if let done = stacks[id], done.status == .updateInProgress, let progress = done.update, progress.inFlight.isEmpty,
           done.graph.order.allSatisfy({ progress.settled.contains($0) }) {
            finishUpdate(id, &services, faults, now)
        }
    }

    /// One resource of the new template: created, left alone, updated in place or replaced.
    mutating func updateResource(_ id: String, _ logicalId: String, _ services: inout CFNServices, _ faults: FaultModel, _ now: SimInstant) {
        guard let stack = stacks[id], let declared = stack.template.resource(logicalId) else { return }
        guard let old = stack.resources[logicalId], let state = old.state, let before = stack.resourceProperties[logicalId] else {
            stacks[id]?.update?.inFlight.insert(logicalId)
            stacks[id]?.update?.steps.append(.added(logicalId))
            start(id, logicalId, &services, faults, now)
            return
        }
        let after: CFNMap
        do throws(CFNError) {
            guard case .map(let evaluated) = try CFNEvaluator(context: stack.context, mappings: stack.template.mappings).evaluate(.map(declared.properties)) else { return }
            after = evaluated
        } catch {
            record(id, at: now, logicalId: logicalId, status: CFNResourceStatus.updateFailed.rawValue, reason: error.message)
            failUpdate(id, failed: [logicalId], at: now)
            return
        }
        let changed = Self.changedProperties(before, after)
        guard !changed.isEmpty else {
            stacks[id]?.update?.settled.insert(logicalId)
            return
        }
        guard let handler = CFNResourceHandlers.handler(declared.type) else {
            record(id, at: now, logicalId: logicalId, status: CFNResourceStatus.updateFailed.rawValue,
                   reason: "odas-sim does not simulate updates of \(declared.type) (nested stacks); delete the stack and create it again")
            failUpdate(id, failed: [logicalId], at: now)
            return
        }
        if Set(changed).isSubset(of: handler.updatableProperties(declared.type)) {
            record(id, at: now, logicalId: logicalId, status: CFNResourceStatus.updateInProgress.rawValue, reason: nil)
            let request = resourceRequest(stacks[id] ?? stack, logicalId, declared.type, properties: after, state: state, faults, now)
            do throws(CFNError) {
                let updated = try handler.update(request, previous: before, &services)
                stacks[id]?.resources[logicalId]?.state = updated
                stacks[id]?.resources[logicalId]?.physicalId = updated.physicalId
                stacks[id]?.context.resources[logicalId] = updated
                stacks[id]?.resourceProperties[logicalId] = after
                stacks[id]?.update?.steps.append(.updated(logicalId, before: before, state: state))
                stacks[id]?.update?.inFlight.insert(logicalId)
                var stream = random.stream("update/\(id)/\(logicalId)/\(stack.eventCounter)")
                outbox.append((now + stream.duration(in: span(1, 10)), .resourceUpdated(stackId: id, logicalId: logicalId)))
            } catch {
                record(id, at: now, logicalId: logicalId, status: CFNResourceStatus.updateFailed.rawValue, reason: error.message)
                failUpdate(id, failed: [logicalId], at: now)
            }
            return
        }
        if let property = Self.customNameProperty[declared.type], let name = after[property]?.scalarText, name == before[property]?.scalarText {
            record(id, at: now, logicalId: logicalId, status: CFNResourceStatus.updateFailed.rawValue,
                   reason: "CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename \(name) and update the stack again.")
            failUpdate(id, failed: [logicalId], at: now)
            return
        }
        record(id, at: now, logicalId: logicalId, status: CFNResourceStatus.updateInProgress.rawValue,
               reason: "Requested update requires the creation of a new physical resource; hence creating one.")
        stacks[id]?.update?.steps.append(.replaced(logicalId, old: old, properties: before))
        stacks[id]?.update?.inFlight.insert(logicalId)
        stacks[id]?.generations[logicalId, default: 0] += 1
        start(id, logicalId, &services, faults, now, replacing: true)
    }

    /// A request for a resource's handler.
    func resourceRequest(_ stack: CFNStack, _ logicalId: String, _ type: String, properties: CFNMap, state: CFNContext.ResourceState?,
                         _ faults: FaultModel, _ now: SimInstant, deletionPolicy: String = "Delete") -> CFNResourceRequest {
        CFNResourceRequest(logicalId: logicalId, type: type, properties: properties, stackName: stack.stackName,
                                  region: stack.context.region, account: account, now: now, faults: faults,
                                  generatedName: generatedName(stack, logicalId), state: state,
                                  availabilityZones: (stack.context.availabilityZones[stack.context.region] ?? []).sorted(),
                                  deletionPolicy: deletionPolicy, stackResources: stack.context.resources)
    }

    /// An in-place update has taken its time.
    mutating func finishResourceUpdate(_ id: String, _ logicalId: String, _ now: SimInstant) {
        guard stacks[id]?.status == .updateInProgress, stacks[id]?.resources[logicalId]?.status == .updateInProgress,
              stacks[id]?.update?.inFlight.contains(logicalId) == true else { return }
        record(id, at: now, logicalId: logicalId, status: CFNResourceStatus.updateComplete.rawValue, reason: nil)
        outbox.append((now, .startResources(stackId: id)))
    }

    /// Outputs and exports of the new version, the cleanup, UPDATE_COMPLETE.
    mutating func finishUpdate(_ id: String, _ services: inout CFNServices, _ faults: FaultModel, _ now: SimInstant) {
        guard let stack = stacks[id], let update = stack.update else { return }
        let outputs: [CFNStack.Output]
        switch evaluateOutputs(stack) {
        case .failure(let error):
            failUpdate(id, failed: [], reason: error.message, at: now)
            return
        case .success(let evaluated): outputs = evaluated
        }
        if let clash = exportClash(outputs, of: stack) {
            failUpdate(id, failed: [], reason: clash, at: now)
            return
        }
        // An export another stack imports can be neither removed nor changed.
        let region = stack.context.region
        for old in stack.outputs {
            guard let name = old.exportName else { continue }
            let kept = outputs.first { $0.exportName == name }
            guard kept?.value != old.value, let importer = importer(of: name, except: id) else { continue }
            let reason = kept == nil ? "Cannot delete export \(name) as it is in use by \(importer)." : "Cannot update export \(name) as it is in use by \(importer)."
            failUpdate(id, failed: [], reason: reason, at: now)
            return
        }
        for old in stack.outputs { if let name = old.exportName { exports[region]?[name] = nil } }
        for output in outputs {
            if let name = output.exportName { exports[region, default: [:]][name] = Export(name: name, value: output.value, stackId: id) }
        }
        stacks[id]?.outputs = outputs
        stacks[id]?.status = .updateCompleteCleanupInProgress
        record(id, at: now, status: CFNStackStatus.updateCompleteCleanupInProgress.rawValue, reason: nil)
        let previous = update.previous.stack
        for step in update.steps.reversed() {
            guard case .replaced(let logicalId, let old, let properties) = step, let state = old.state else { continue }
            let policy = stack.template.resource(logicalId)?.updateReplacePolicy ?? "Delete"
            deleteFormer(id, logicalId, old.type, state: state, properties: properties, policy: policy, &services, faults, now)
        }
        for logicalId in update.removed {
            guard let old = previous.resources[logicalId], let state = old.state else { continue }
            let policy = previous.template.resource(logicalId)?.deletionPolicy ?? "Delete"
            deleteFormer(id, logicalId, old.type, state: state, properties: previous.resourceProperties[logicalId] ?? CFNMap(),
                         policy: policy == "RetainExceptOnCreate" ? "Retain" : policy, &services, faults, now)
        }
        stacks[id]?.update = nil
        stacks[id]?.status = .updateComplete
        record(id, at: now, status: CFNStackStatus.updateComplete.rawValue, reason: nil)
    }

    /// The stack's outputs evaluated now (their conditions applied).
    func evaluateOutputs(_ stack: CFNStack) -> Result<[CFNStack.Output], CFNError> {
        let evaluator = CFNEvaluator(context: stack.context, mappings: stack.template.mappings)
        var outputs: [CFNStack.Output] = []
        for output in stack.template.outputs where output.condition.map({ stack.context.conditions[$0] ?? false }) ?? true {
            do throws(CFNError) {
                let evaluated = try evaluator.evaluate(output.value)
                guard let value = evaluated.scalarText ?? evaluated.listValue?.compactMap(\.scalarText).joined(separator: ",") else { continue }
                let exportName = try output.exportName.map { name throws(CFNError) in try evaluator.evaluate(name).scalarText }
                outputs.append(.init(key: output.name, value: value, description: output.description, exportName: exportName ?? nil))
            } catch {
                return .failure(error)
            }
        }
        return .success(outputs)
    }

    /// Why these outputs cannot be exported: a name another stack of the region already exports.
    func exportClash(_ outputs: [CFNStack.Output], of stack: CFNStack) -> String? {
        for name in outputs.compactMap(\.exportName) {
            guard let existing = exports[stack.context.region]?[name], existing.stackId != stack.stackId else { continue }
            return "Export with name \(name) is already exported by stack \(stacks[existing.stackId]?.stackName ?? existing.stackId)"
        }
        return nil
    }

    /// The name of a live stack other than `id` that imports `export`.
    func importer(of export: String, except id: String) -> String? {
        stackOrder.compactMap { stacks[$0] }.first { $0.stackId != id && $0.status != .deleteComplete && $0.imports.contains(export) }?.stackName
    }

    /// Deletes a physical resource the stack no longer uses (replaced, removed,
    /// or created by an update that rolled back), with events under its old physical id.
    mutating func deleteFormer(_ id: String, _ logicalId: String, _ type: String, state: CFNContext.ResourceState, properties: CFNMap,
                               policy: String, _ services: inout CFNServices, _ faults: FaultModel, _ now: SimInstant) {
        let former = (physicalId: state.physicalId, type: type)
        if policy == "Retain" {
            record(id, at: now, logicalId: logicalId, status: CFNResourceStatus.deleteSkipped.rawValue, reason: nil, former: former)
            return
        }
        record(id, at: now, logicalId: logicalId, status: CFNResourceStatus.deleteInProgress.rawValue, reason: nil, former: former)
        if type == Self.nestedStackType {
            // The nested stack deletes its own resources.
            try? deleteStack(state.physicalId, now: now)
            record(id, at: now, logicalId: logicalId, status: CFNResourceStatus.deleteComplete.rawValue, reason: nil, former: former)
            return
        }
        guard let stack = stacks[id], let handler = CFNResourceHandlers.handler(type) else { return }
        let request = resourceRequest(stack, logicalId, type, properties: properties, state: state, faults, now, deletionPolicy: policy)
        do throws(CFNError) {
            try handler.delete(request, &services)
            record(id, at: now, logicalId: logicalId, status: CFNResourceStatus.deleteComplete.rawValue, reason: nil, former: former)
        } catch {
            // A cleanup failure does not fail the update (AWS leaves the resource and says so).
            record(id, at: now, logicalId: logicalId, status: CFNResourceStatus.deleteFailed.rawValue, reason: error.message, former: former)
        }
    }

    // MARK: Failure and rollback

    /// The update failed: in-flight resources are cancelled and the rollback
    /// starts (with DisableRollback the stack stays UPDATE_FAILED as it is).
    mutating func failUpdate(_ id: String, failed: [String], reason: String? = nil, at now: SimInstant) {
        guard let stack = stacks[id], stack.status == .updateInProgress else { return }
        for logicalId in (stack.update?.inFlight ?? []).sorted() where !failed.contains(logicalId) {
            let status = stack.resources[logicalId]?.status
            guard status == .createInProgress || status == .updateInProgress else { continue }
            record(id, at: now, logicalId: logicalId, status: status == .createInProgress ? CFNResourceStatus.createFailed.rawValue : CFNResourceStatus.updateFailed.rawValue,
                   reason: status == .createInProgress ? "Resource creation cancelled" : "Resource update cancelled")
        }
        let created = failed.filter { logicalId in stack.update?.steps.contains { if case .added(logicalId) = $0 { return true }; return false } == true }
        let why = reason ?? (created.count == failed.count && !failed.isEmpty
            ? "The following resource(s) failed to create: [\(failed.joined(separator: ", "))]. "
            : "The following resource(s) failed to update: [\(failed.joined(separator: ", "))]. ")
        stacks[id]?.failureReason = why
        if stack.onFailure == "DO_NOTHING" {
            stacks[id]?.status = .updateFailed
            stacks[id]?.statusReason = why
            stacks[id]?.update = nil
            record(id, at: now, status: CFNStackStatus.updateFailed.rawValue, reason: why)
            return
        }
        stacks[id]?.status = .updateRollbackInProgress
        stacks[id]?.statusReason = why
        record(id, at: now, status: CFNStackStatus.updateRollbackInProgress.rawValue, reason: why)
        outbox.append((now, .rollbackUpdate(stackId: id)))
    }

    /// Undoes a failed update: in-place updates back to their old properties
    /// (newest first), the previous template, parameters, outputs and
    /// resources restored, then what the update created deleted.
    mutating func rollbackUpdate(_ id: String, _ services: inout CFNServices, _ faults: FaultModel, _ now: SimInstant) {
        guard let stack = stacks[id], stack.status == .updateRollbackInProgress, let update = stack.update else { return }
        let previous = update.previous.stack
        var failures: [String] = []
        var created: [(logicalId: String, type: String, state: CFNContext.ResourceState, properties: CFNMap)] = []
        for step in update.steps.reversed() {
            switch step {
            case let .updated(logicalId, before, state):
                guard let current = stacks[id], let type = current.resources[logicalId]?.type, let handler = CFNResourceHandlers.handler(type) else { continue }
                record(id, at: now, logicalId: logicalId, status: CFNResourceStatus.updateInProgress.rawValue, reason: nil)
                let request = resourceRequest(current, logicalId, type, properties: before, state: current.resources[logicalId]?.state ?? state, faults, now)
                do throws(CFNError) {
                    _ = try handler.update(request, previous: current.resourceProperties[logicalId] ?? CFNMap(), &services)
                    record(id, at: now, logicalId: logicalId, status: CFNResourceStatus.updateComplete.rawValue, reason: nil)
                } catch {
                    record(id, at: now, logicalId: logicalId, status: CFNResourceStatus.updateFailed.rawValue, reason: error.message)
                    failures.append(logicalId)
                }
            case let .replaced(logicalId, old, _):
                // The replacement, if its creation got as far as a physical resource.
                guard let resource = stacks[id]?.resources[logicalId], let state = resource.state, state.physicalId != old.state?.physicalId else { continue }
                created.append((logicalId, resource.type, state, stacks[id]?.resourceProperties[logicalId] ?? CFNMap()))
            case .added(let logicalId):
                guard let resource = stacks[id]?.resources[logicalId], let state = resource.state else { continue }
                created.append((logicalId, resource.type, state, stacks[id]?.resourceProperties[logicalId] ?? CFNMap()))
            }
        }
        // The stack as it was, its events and replacement count kept.
        guard var restored = stacks[id] else { return }
        restored.template = previous.template
        restored.parameters = previous.parameters
        restored.graph = previous.graph
        restored.context = previous.context
        restored.resourceProperties = previous.resourceProperties
        restored.outputs = previous.outputs
        restored.onFailure = previous.onFailure
        var resources = previous.resources
        for (logicalId, resource) in resources where resource.status == nil { resources[logicalId] = nil }
        restored.resources = resources
        restored.update = nil
        restored.status = .updateRollbackCompleteCleanupInProgress
        stacks[id] = restored
        record(id, at: now, status: CFNStackStatus.updateRollbackCompleteCleanupInProgress.rawValue, reason: nil)
        for item in created {
            deleteFormer(id, item.logicalId, item.type, state: item.state, properties: item.properties, policy: "Delete", &services, faults, now)
        }
        let failed = !failures.isEmpty
        stacks[id]?.status = failed ? .updateRollbackFailed : .updateRollbackComplete
        let reason = failed ? "The following resource(s) failed to update: [\(failures.sorted().joined(separator: ", "))]. " : nil
        stacks[id]?.statusReason = reason ?? stack.statusReason
        record(id, at: now, status: (failed ? CFNStackStatus.updateRollbackFailed : .updateRollbackComplete).rawValue, reason: reason)
    }
}
