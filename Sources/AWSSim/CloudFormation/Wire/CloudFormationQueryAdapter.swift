import SimCore

/// The CloudFormation Query API for the aws CLI and boto3: validate-template,
/// create-stack, deploy (CreateChangeSet, DescribeChangeSet, ExecuteChangeSet),
/// describe-stacks, describe-stack-events, describe-stack-resource(s),
/// list-stack-resources, list-stacks, get-template, get-template-summary,
/// list-exports, delete-stack, signal-resource — and the waiters built on
/// them — as a pure function over ``CloudFormationService``.
public enum CloudFormationQueryAdapter {
    static let namespace = "http://cloudformation.amazonaws.com/doc/2010-05-15/"

    /// `s3`: where a TemplateURL is read from. `epochUnixMilliseconds`: the wall time of virtual zero.
    public static func handle(_ query: QueryRequest, cfn: inout CloudFormationService, s3: S3Service, region: String, now: SimInstant,
                              requestId: String, epochUnixMilliseconds: Int64) -> WireResponse {
        guard let action = query.action else {
            return QueryResponse.error(code: "MissingAction", message: "The request must contain the parameter Action.", requestId: requestId)
        }
        let time = { (instant: SimInstant) in HTTPDate.iso8601(unixMilliseconds: epochUnixMilliseconds + instant.nanosecondsSinceStart / 1_000_000) }
        func result(_ children: [XMLElement]) -> WireResponse {
            QueryResponse.result(action: action, namespace: namespace, children: children, requestId: requestId)
        }
        func fail(_ error: CFNError) -> WireResponse {
            QueryResponse.error(code: error.code, message: error.message, status: error.status, requestId: requestId)
        }
        func stackOrError() -> Result<CFNStack, CFNError> {
            guard let name = query["StackName"] else { return .failure(CFNError("ValidationError", "StackName is required")) }
            guard let stack = cfn.stack(name) else { return .failure(CFNError("ValidationError", "Stack with id \(name) does not exist")) }
            return .success(stack)
        }
        do throws(CFNError) {
            switch action {
            case "ValidateTemplate":
                let template = try CFNTemplate.parse(try body(query, s3))
                let validation = try CFNValidation.validate(template)
                return result(Self.validation(validation))
            case "GetTemplateSummary":
                let template: CFNTemplate
                if query["TemplateBody"] == nil, query["TemplateURL"] == nil, case .success(let stack) = stackOrError() {
                    template = stack.template
                } else {
                    template = try CFNTemplate.parse(try body(query, s3))
                }
                let validation = try CFNValidation.validate(template)
                return result(summary(template, validation))
            case "CreateStack":
                let id = try cfn.createStack(try createRequest(query, s3, region: region), now: now)
                return result([.leaf("StackId", id)])
            case "UpdateStack":
                let id = try cfn.updateStack(try createRequest(query, s3, region: region), now: now)
                return result([.leaf("StackId", id)])
            case "CreateChangeSet":
                guard let name = query["ChangeSetName"] else { throw CFNError("ValidationError", "ChangeSetName is required") }
                let ids = try cfn.createChangeSet(name: name, type: query["ChangeSetType"] ?? "UPDATE", description: query["Description"],
                                                  try createRequest(query, s3, region: region), now: now)
                return result([.leaf("Id", ids.changeSetId), .leaf("StackId", ids.stackId)])
            case "DescribeChangeSet":
                guard let name = query["ChangeSetName"], let changeSet = cfn.changeSet(name, stack: query["StackName"]) else {
                    throw CFNError("ChangeSetNotFound", "ChangeSet [\(query["ChangeSetName"] ?? "")] does not exist", status: 404)
                }
                return result(describe(changeSet, cfn.stacks[changeSet.stackId], time))
            case "ExecuteChangeSet":
                guard let name = query["ChangeSetName"] else { throw CFNError("ValidationError", "ChangeSetName is required") }
                try cfn.executeChangeSet(name, stack: query["StackName"], disableRollback: query["DisableRollback"].map { $0 == "true" }, now: now)
                return result([])
            case "DescribeStacks":
                let stacks: [CFNStack]
                if query["StackName"] != nil {
                    stacks = [try stackOrError().get()]
                } else {
                    stacks = cfn.stackOrder.compactMap { cfn.stacks[$0] }.filter { $0.status != .deleteComplete }
                }
                return result([XMLElement("Stacks", children: stacks.map { XMLElement("member", children: Self.stack($0, time)) })])
            case "DescribeStackEvents":
                let stack = try stackOrError().get()
                return result([XMLElement("StackEvents", children: stack.events.reversed().map { event in
                    XMLElement("member", children: [
                        .leaf("StackId", event.stackId), .leaf("EventId", event.eventId), .leaf("StackName", event.stackName),
                        .leaf("LogicalResourceId", event.logicalResourceId), .leaf("PhysicalResourceId", event.physicalResourceId),
                        .leaf("ResourceType", event.resourceType), .leaf("Timestamp", time(event.timestamp)),
                        .leaf("ResourceStatus", event.resourceStatus),
                    ] + (event.resourceStatusReason.map { [.leaf("ResourceStatusReason", $0)] } ?? []))
                })])
            case "DescribeStackResources", "DescribeStackResource", "ListStackResources":
                let stack = try stackOrError().get()
                let wanted = query["LogicalResourceId"]
                let resources = stack.graph.order.compactMap { stack.resources[$0] }.filter { $0.status != nil && (wanted == nil || $0.logicalId == wanted) }
                if action == "DescribeStackResource" {
                    guard let resource = resources.first else {
                        throw CFNError("ValidationError", "Resource \(wanted ?? "") does not exist for stack \(stack.stackName)")
                    }
                    return result([XMLElement("StackResourceDetail", children: Self.resource(resource, stack, time, detail: true))])
                }
                if action == "ListStackResources" {
                    return result([XMLElement("StackResourceSummaries", children: resources.map { resource in
                        XMLElement("member", children: [
                            .leaf("LogicalResourceId", resource.logicalId), .leaf("PhysicalResourceId", resource.physicalId ?? ""),
                            .leaf("ResourceType", resource.type), .leaf("LastUpdatedTimestamp", time(resource.lastUpdated)),
                            .leaf("ResourceStatus", resource.status?.rawValue ?? ""),
                            XMLElement("DriftInformation", children: [.leaf("StackResourceDriftStatus", "NOT_CHECKED")]),
                        ] + (resource.statusReason.map { [.leaf("ResourceStatusReason", $0)] } ?? []))
                    })])
                }
                return result([XMLElement("StackResources", children: resources.map { XMLElement("member", children: Self.resource($0, stack, time, detail: false)) })])
            case "ListStacks":
                let filter = query.list("StackStatusFilter")
                let stacks = cfn.stackOrder.reversed().compactMap { cfn.stacks[$0] }.filter { filter.isEmpty || filter.contains($0.status.rawValue) }
                return result([XMLElement("StackSummaries", children: stacks.map { stack in
                    XMLElement("member", children: [
                        .leaf("StackId", stack.stackId), .leaf("StackName", stack.stackName),
                        .leaf("CreationTime", time(stack.creationTime)), .leaf("StackStatus", stack.status.rawValue),
                        XMLElement("DriftInformation", children: [.leaf("StackDriftStatus", "NOT_CHECKED")]),
                    ] + (stack.template.description.map { [.leaf("TemplateDescription", $0)] } ?? [])
                      + (stack.deletionTime.map { [.leaf("DeletionTime", time($0))] } ?? [])
                      + (stack.statusReason.map { [.leaf("StackStatusReason", $0)] } ?? []))
                })])
            case "GetTemplate":
                let stack = try stackOrError().get()
                return result([.leaf("TemplateBody", stack.template.body),
                               XMLElement("StagesAvailable", children: [.leaf("member", "Original"), .leaf("member", "Processed")])])
            case "ListExports":
                let exports = (cfn.exports[region] ?? [:]).values.sorted { $0.name < $1.name }
                return result([XMLElement("Exports", children: exports.map { export in
                    XMLElement("member", children: [.leaf("ExportingStackId", export.stackId), .leaf("Name", export.name), .leaf("Value", export.value)])
                })])
            case "DeleteStack":
                guard let name = query["StackName"] else { throw CFNError("ValidationError", "StackName is required") }
                try cfn.deleteStack(name, now: now)
                return result([])
            case "SignalResource":
                guard let name = query["StackName"], let logicalId = query["LogicalResourceId"], let uniqueId = query["UniqueId"],
                      let status = query["Status"], status == "SUCCESS" || status == "FAILURE" else {
                    throw CFNError("ValidationError", "SignalResource needs StackName, LogicalResourceId, UniqueId and Status (SUCCESS or FAILURE)")
                }
                try cfn.signalResource(name, logicalId: logicalId, uniqueId: uniqueId, success: status == "SUCCESS", now: now)
                return result([])
            default:
                return QueryResponse.error(code: "InvalidAction", message: "The action \(action) is not valid for this web service (odas-sim simulates the CloudFormation actions listed in docs/serve.md).",
                                           requestId: requestId)
            }
        } catch {
            return fail(error)
        }
    }

    /// The template of a request: TemplateBody, or TemplateURL read from the S3 fake
    /// (`https://BUCKET.s3[.REGION].amazonaws.com/KEY` or path style `https://s3[.REGION].amazonaws.com/BUCKET/KEY`).
    static func body(_ query: QueryRequest, _ s3: S3Service) throws(CFNError) -> String {
        if let body = query["TemplateBody"] { return body }
        guard let url = query["TemplateURL"] else { throw CFNError("ValidationError", "Either Template URL or Template Body must be specified.") }
        return try CloudFormationService.templateBody(url: url, s3: s3)
    }

    /// CreateStack and CreateChangeSet parameters.
    static func createRequest(_ query: QueryRequest, _ s3: S3Service, region: String) throws(CFNError) -> CloudFormationService.CreateStackRequest {
        guard let name = query["StackName"] else { throw CFNError("ValidationError", "StackName is required") }
        let previousTemplate = query["UsePreviousTemplate"] == "true"
        var request = CloudFormationService.CreateStackRequest(stackName: name, templateBody: previousTemplate ? "" : try body(query, s3), region: region)
        request.usePreviousTemplate = previousTemplate
        for member in members(query, "Parameters") {
            guard let key = member["ParameterKey"] else { continue }
            if member["UsePreviousValue"] == "true" {
                request.usePreviousValues.insert(key)
                continue
            }
            request.parameters[key] = member["ParameterValue"] ?? ""
        }
        request.capabilities = query.list("Capabilities")
        request.onFailure = query["OnFailure"]
        request.disableRollback = query["DisableRollback"].map { $0 == "true" }
        request.timeoutInMinutes = query["TimeoutInMinutes"].flatMap { Int($0) }
        return request
    }

    /// `Name.member.N.Field` entries grouped per N, in N order.
    static func members(_ query: QueryRequest, _ name: String) -> [[String: String]] {
        var groups: [Int: [String: String]] = [:]
        for (key, value) in query.parameters where key.hasPrefix(name + ".member.") {
            let parts = key.dropFirst(name.count + 8).split(separator: ".", maxSplits: 1)
            guard parts.count == 2, let index = Int(parts[0]) else { continue }
            groups[index, default: [:]][String(parts[1])] = value
        }
        return groups.keys.sorted().compactMap { groups[$0] }
    }

    static func validation(_ v: CFNValidation.Result) -> [XMLElement] {
        var children = [XMLElement("Parameters", children: v.parameters.map { parameter in
            XMLElement("member", children: [.leaf("ParameterKey", parameter.key), .leaf("NoEcho", parameter.noEcho ? "true" : "false")]
                       + (parameter.defaultValue.map { [.leaf("DefaultValue", $0)] } ?? [])
                       + (parameter.description.map { [.leaf("Description", $0)] } ?? []))
        })]
        if let description = v.description { children.append(.leaf("Description", description)) }
        if !v.capabilities.isEmpty {
            children.append(XMLElement("Capabilities", children: v.capabilities.map { .leaf("member", $0) }))
            if let reason = v.capabilitiesReason { children.append(.leaf("CapabilitiesReason", reason)) }
        }
        children.append(XMLElement("DeclaredTransforms", children: v.declaredTransforms.map { .leaf("member", $0) }))
        return children
    }

    static func summary(_ template: CFNTemplate, _ v: CFNValidation.Result) -> [XMLElement] {
        var children = [XMLElement("Parameters", children: template.parameters.map { parameter in
            XMLElement("member", children: [.leaf("ParameterKey", parameter.name), .leaf("ParameterType", parameter.type),
                                            .leaf("NoEcho", parameter.noEcho ? "true" : "false")]
                       + (parameter.defaultValue.map { [.leaf("DefaultValue", parameter.noEcho ? "****" : $0)] } ?? [])
                       + (parameter.description.map { [.leaf("Description", $0)] } ?? [])
                       + [XMLElement("ParameterConstraints", children: parameter.allowedValues.map {
                           [XMLElement("AllowedValues", children: $0.map { .leaf("member", $0) })] } ?? [])])
        })]
        if let description = template.description { children.append(.leaf("Description", description)) }
        if !v.capabilities.isEmpty {
            children.append(XMLElement("Capabilities", children: v.capabilities.map { .leaf("member", $0) }))
            if let reason = v.capabilitiesReason { children.append(.leaf("CapabilitiesReason", reason)) }
        }
        children.append(XMLElement("ResourceTypes", children: Array(Set(template.resources.map(\.type))).sorted().map { .leaf("member", $0) }))
        children.append(.leaf("Version", template.formatVersion ?? "2010-09-09"))
        children.append(XMLElement("DeclaredTransforms", children: template.transforms.map { .leaf("member", $0) }))
        return children
    }

    static func stack(_ stack: CFNStack, _ time: (SimInstant) -> String) -> [XMLElement] {
        var children: [XMLElement] = [.leaf("StackId", stack.stackId), .leaf("StackName", stack.stackName)]
        if let parent = stack.parent { children += [.leaf("ParentId", parent.stackId), .leaf("RootId", stack.rootId ?? parent.stackId)] }
        if let description = stack.template.description { children.append(.leaf("Description", description)) }
        children.append(XMLElement("Parameters", children: stack.describedParameters.map { pair in
            XMLElement("member", children: [.leaf("ParameterKey", pair.key), .leaf("ParameterValue", pair.value)])
        }))
        children.append(.leaf("CreationTime", time(stack.creationTime)))
        if let updated = stack.lastUpdatedTime { children.append(.leaf("LastUpdatedTime", time(updated))) }
        if let deleted = stack.deletionTime { children.append(.leaf("DeletionTime", time(deleted))) }
        children.append(.leaf("StackStatus", stack.status.rawValue))
        if let reason = stack.statusReason { children.append(.leaf("StackStatusReason", reason)) }
        children.append(.leaf("DisableRollback", stack.onFailure == "DO_NOTHING" ? "true" : "false"))
        if let timeout = stack.timeout { children.append(.leaf("TimeoutInMinutes", String(timeout.nanoseconds / 60_000_000_000))) }
        children.append(XMLElement("Capabilities", children: stack.capabilities.map { .leaf("member", $0) }))
        children.append(XMLElement("Outputs", children: stack.outputs.map { output in
            XMLElement("member", children: [.leaf("OutputKey", output.key), .leaf("OutputValue", output.value)]
                       + (output.description.map { [.leaf("Description", $0)] } ?? [])
                       + (output.exportName.map { [.leaf("ExportName", $0)] } ?? []))
        }))
        children.append(.leaf("EnableTerminationProtection", "false"))
        children.append(XMLElement("DriftInformation", children: [.leaf("StackDriftStatus", "NOT_CHECKED")]))
        return children
    }

    static func resource(_ resource: CFNStackResource, _ stack: CFNStack, _ time: (SimInstant) -> String, detail: Bool) -> [XMLElement] {
        var children: [XMLElement] = [
            .leaf("StackName", stack.stackName), .leaf("StackId", stack.stackId), .leaf("LogicalResourceId", resource.logicalId),
            .leaf("PhysicalResourceId", resource.physicalId ?? ""), .leaf("ResourceType", resource.type),
            .leaf(detail ? "LastUpdatedTimestamp" : "Timestamp", time(resource.lastUpdated)),
            .leaf("ResourceStatus", resource.status?.rawValue ?? ""),
        ]
        if let reason = resource.statusReason { children.append(.leaf("ResourceStatusReason", reason)) }
        children.append(XMLElement("DriftInformation", children: [.leaf("StackResourceDriftStatus", "NOT_CHECKED")]))
        return children
    }

    static func describe(_ changeSet: CFNChangeSet, _ stack: CFNStack?, _ time: (SimInstant) -> String) -> [XMLElement] {
        var children: [XMLElement] = [
            .leaf("ChangeSetName", changeSet.changeSetName), .leaf("ChangeSetId", changeSet.changeSetId),
            .leaf("StackId", changeSet.stackId), .leaf("StackName", changeSet.stackName),
            .leaf("CreationTime", time(changeSet.creationTime)), .leaf("ExecutionStatus", changeSet.executionStatus),
            .leaf("Status", changeSet.status),
        ]
        if let description = changeSet.description { children.append(.leaf("Description", description)) }
        if let stack {
            children.append(XMLElement("Parameters", children: changeSet.parameters.map { pair in
                XMLElement("member", children: [.leaf("ParameterKey", pair.key), .leaf("ParameterValue", pair.value)])
            }))
            children.append(XMLElement("Capabilities", children: stack.capabilities.map { .leaf("member", $0) }))
        }
        if let reason = changeSet.statusReason { children.append(.leaf("StatusReason", reason)) }
        children.append(XMLElement("Changes", children: changeSet.changes.map { change in
            var fields: [XMLElement] = [.leaf("Action", change.action.rawValue), .leaf("LogicalResourceId", change.logicalId)]
            if let physical = change.physicalId { fields.append(.leaf("PhysicalResourceId", physical)) }
            fields.append(.leaf("ResourceType", change.type))
            if let replacement = change.replacement { fields.append(.leaf("Replacement", replacement)) }
            fields.append(XMLElement("Scope", children: change.properties.isEmpty ? [] : [.leaf("member", "Properties")]))
            fields.append(XMLElement("Details", children: change.properties.map { property in
                XMLElement("member", children: [
                    XMLElement("Target", children: [.leaf("Attribute", "Properties"), .leaf("Name", property),
                                                    .leaf("RequiresRecreation", change.replacement == "True" ? "Always" : "Never")]),
                    .leaf("Evaluation", "Static"), .leaf("ChangeSource", "DirectModification"),
                ])
            }))
            return XMLElement("member", children: [.leaf("Type", "Resource"), XMLElement("ResourceChange", children: fields)])
        }))
        return children
    }
}
