import SimCore

/// The IAM Query API (form-encoded requests, XML answers) for the aws CLI's
/// `iam create-role/get-role/list-roles/put-role-policy/create-policy/
/// attach-role-policy/create-instance-profile/add-role-to-instance-profile/
/// create-user/create-access-key/simulate-custom-policy/simulate-principal-policy`
/// and their neighbours. Policy documents in answers are URL-encoded JSON, as
/// IAM returns them (the SDKs decode them).
public enum IAMQueryAdapter {
    static let namespace = "https://iam.amazonaws.com/doc/2010-05-08/"

    /// Times on the wire: the simulated instant plus the wall-clock epoch of virtual zero.
    public struct Clock: Sendable {
        public var now: SimInstant
        public var epochUnixMilliseconds: Int64
        public init(now: SimInstant, epochUnixMilliseconds: Int64) {
            self.now = now
            self.epochUnixMilliseconds = epochUnixMilliseconds
        }
        func date(_ instant: SimInstant) -> String {
            let text = HTTPDate.iso8601(unixMilliseconds: epochUnixMilliseconds + instant.nanosecondsSinceStart / 1_000_000)
            return String(text.prefix(19)) + "Z"
        }
    }

    /// The IAM action and resource ARN a request needs (`iam:CreateRole` on the role's ARN).
    public static func requirement(_ query: QueryRequest, account: String) -> (action: String, resource: String) {
        let action = "iam:" + (query.action ?? "")
        let path = query["Path"] ?? "/"
        if let name = query["RoleName"] { return (action, "arn:aws:iam::\(account):role\(path)\(name)") }
        if let name = query["UserName"] { return (action, "arn:aws:iam::\(account):user\(path)\(name)") }
        if let name = query["GroupName"] { return (action, "arn:aws:iam::\(account):group\(path)\(name)") }
        if let name = query["InstanceProfileName"] { return (action, "arn:aws:iam::\(account):instance-profile\(path)\(name)") }
        if let arn = query["PolicyArn"] ?? query["PolicySourceArn"] { return (action, arn) }
        if let name = query["PolicyName"], query.action == "CreatePolicy" { return (action, "arn:aws:iam::\(account):policy\(path)\(name)") }
        return (action, "*")
    }

    public static func handle(_ query: QueryRequest, iam: inout IAMService, caller: IAMPrincipal, clock: Clock,
                              requestId: String) -> WireResponse {
        guard let action = query.action else {
            return QueryResponse.error(code: "MissingAction", message: "The request must contain the parameter Action.", requestId: requestId)
        }
        func required(_ name: String) throws(IAMError) -> String {
            guard let value = query[name], !value.isEmpty else {
                throw IAMError(code: "ValidationError",
                               message: "1 validation error detected: Value null at '\(name.prefix(1).lowercased() + name.dropFirst())' failed to satisfy constraint: Member must not be null")
            }
            return value
        }
        func result(_ children: [XMLElement]) -> WireResponse {
            QueryResponse.result(action: action, namespace: namespace, children: children, requestId: requestId)
        }
        let now = clock.now
        do throws(IAMError) {
            switch action {
            case "CreateRole":
                let role = try iam.createRole(name: try required("RoleName"), trustPolicy: try required("AssumeRolePolicyDocument"),
                                              path: query["Path"] ?? "/", description: query["Description"] ?? "",
                                              maxSessionDurationSeconds: query["MaxSessionDuration"].flatMap { Int($0) } ?? 3600, now: now)
                return result([roleElement(role, clock)])
            case "GetRole":
                let role = try iam.requireRole(try required("RoleName"))
                return result([roleElement(role, clock)])
            case "ListRoles":
                let roles = iam.roles.values.sorted { $0.name < $1.name }
                return result([XMLElement("Roles", children: roles.map { member(roleElement($0, clock)) }), .leaf("IsTruncated", "false")])
            case "PutRolePolicy":
                try iam.putRolePolicy(role: try required("RoleName"), policyName: try required("PolicyName"),
                                      document: try required("PolicyDocument"))
                return result([])
            case "GetRolePolicy":
                let role = try iam.requireRole(try required("RoleName"))
                let name = try required("PolicyName")
                guard let policy = role.permissions.inlinePolicies.first(where: { $0.name == name }) else {
                    throw .noSuchEntity("The role policy with name \(name) cannot be found.")
                }
                return result([.leaf("RoleName", role.name), .leaf("PolicyName", name),
                               .leaf("PolicyDocument", PercentEncoding.encode(policy.document))])
            case "ListRolePolicies":
                let role = try iam.requireRole(try required("RoleName"))
                return result([XMLElement("PolicyNames", children: role.permissions.inlinePolicies.map { .leaf("member", $0.name) }),
                               .leaf("IsTruncated", "false")])
            case "AttachRolePolicy":
                try iam.attachRolePolicy(role: try required("RoleName"), policyArn: try required("PolicyArn"))
                return result([])
            case "ListAttachedRolePolicies":
                let role = try iam.requireRole(try required("RoleName"))
                return result([attachedElement(role.permissions.attachedPolicyArns), .leaf("IsTruncated", "false")])
            case "PutRolePermissionsBoundary":
                try iam.putRolePermissionsBoundary(role: try required("RoleName"), policyArn: try required("PermissionsBoundary"))
                return result([])
            case "CreatePolicy":
                let policy = try iam.createPolicy(name: try required("PolicyName"), document: try required("PolicyDocument"),
                                                  path: query["Path"] ?? "/", description: query["Description"] ?? "", now: now)
                return result([policyElement(policy, clock)])
            case "GetPolicy":
                let arn = try required("PolicyArn")
                guard let policy = iam.policies[arn] else { throw .noSuchEntity("Policy \(arn) was not found.") }
                return result([policyElement(policy, clock)])
            case "CreatePolicyVersion":
                let arn = try required("PolicyArn")
                let id = try iam.createPolicyVersion(arn: arn, document: try required("PolicyDocument"),
                                                     setAsDefault: query["SetAsDefault"] == "true", now: now)
                return result([XMLElement("PolicyVersion", children: [
                    .leaf("VersionId", id), .leaf("IsDefaultVersion", String(iam.policies[arn]?.defaultVersionId == id)),
                    .leaf("CreateDate", clock.date(now)),
                ])])
            case "GetPolicyVersion":
                let arn = try required("PolicyArn"), id = try required("VersionId")
                guard let version = iam.policies[arn]?.versions.first(where: { $0.versionId == id }) else {
                    throw .noSuchEntity("Policy \(arn) version \(id) does not exist or is not attachable.")
                }
                return result([XMLElement("PolicyVersion", children: [
                    .leaf("Document", PercentEncoding.encode(version.document)), .leaf("VersionId", id),
                    .leaf("IsDefaultVersion", String(iam.policies[arn]?.defaultVersionId == id)), .leaf("CreateDate", clock.date(version.created)),
                ])])
            case "ListPolicies":
                let local = query["Scope"] == "Local"
                let policies = iam.policies.values.sorted { $0.arn < $1.arn }
                let managed = local ? [] : ManagedPolicies.documents.keys.sorted()
                return result([XMLElement("Policies", children: policies.map { member(policyElement($0, clock)) } + managed.map { arn in
                    XMLElement("member", children: [.leaf("PolicyName", String(arn.split(separator: "/").last ?? "")), .leaf("Arn", arn),
                                                     .leaf("Path", "/"), .leaf("DefaultVersionId", "v1"), .leaf("IsAttachable", "true")])
                }), .leaf("IsTruncated", "false")])
            case "CreateInstanceProfile":
                let profile = try iam.createInstanceProfile(name: try required("InstanceProfileName"), path: query["Path"] ?? "/", now: now)
                return result([profileElement(profile, iam, clock)])
            case "AddRoleToInstanceProfile":
                try iam.addRoleToInstanceProfile(profile: try required("InstanceProfileName"), role: try required("RoleName"))
                return result([])
            case "GetInstanceProfile":
                let name = try required("InstanceProfileName")
                guard let profile = iam.instanceProfiles[name] else { throw .noSuchEntity("Instance Profile \(name) cannot be found.") }
                return result([profileElement(profile, iam, clock)])
            case "ListInstanceProfiles":
                let profiles = iam.instanceProfiles.values.sorted { $0.name < $1.name }
                return result([XMLElement("InstanceProfiles", children: profiles.map { member(profileElement($0, iam, clock)) }),
                               .leaf("IsTruncated", "false")])
            case "CreateUser":
                let user = try iam.createUser(name: try required("UserName"), path: query["Path"] ?? "/", now: now)
                return result([userElement(user, clock)])
            case "GetUser":
                let name: String
                if let given = query["UserName"] { name = given }
                else if case .user(let own) = caller.kind { name = own }
                else { throw IAMError(code: "ValidationError", message: "Must specify userName when calling with non-User credentials") }
                return result([userElement(try iam.requireUser(name), clock)])
            case "ListUsers":
                let users = iam.users.values.sorted { $0.name < $1.name }
                return result([XMLElement("Users", children: users.map { member(userElement($0, clock)) }), .leaf("IsTruncated", "false")])
            case "PutUserPolicy":
                try iam.putUserPolicy(user: try required("UserName"), policyName: try required("PolicyName"),
                                      document: try required("PolicyDocument"))
                return result([])
            case "AttachUserPolicy":
                try iam.attachUserPolicy(user: try required("UserName"), policyArn: try required("PolicyArn"))
                return result([])
            case "CreateAccessKey":
                let name: String
                if let given = query["UserName"] { name = given }
                else if case .user(let own) = caller.kind { name = own }
                else { throw IAMError(code: "ValidationError", message: "Must specify userName when calling with non-User credentials") }
                let key = try iam.createAccessKey(user: name, now: now)
                return result([XMLElement("AccessKey", children: [
                    .leaf("UserName", name), .leaf("AccessKeyId", key.accessKeyId), .leaf("Status", "Active"),
                    .leaf("SecretAccessKey", key.secretAccessKey), .leaf("CreateDate", clock.date(key.created)),
                ])])
            case "ListAccessKeys":
                let name = query["UserName"] ?? { if case .user(let own) = caller.kind { return own }; return "" }()
                let keys = iam.accessKeys.values.filter { $0.userName == name }.sorted { $0.accessKeyId < $1.accessKeyId }
                return result([XMLElement("AccessKeyMetadata", children: keys.map { key in
                    XMLElement("member", children: [.leaf("UserName", name), .leaf("AccessKeyId", key.accessKeyId),
                                                     .leaf("Status", key.active ? "Active" : "Inactive"), .leaf("CreateDate", clock.date(key.created))])
                }), .leaf("IsTruncated", "false")])
            case "CreateGroup":
                let group = try iam.createGroup(name: try required("GroupName"), path: query["Path"] ?? "/", now: now)
                return result([XMLElement("Group", children: [
                    .leaf("Path", group.path), .leaf("GroupName", group.name), .leaf("GroupId", group.groupId), .leaf("Arn", group.arn),
                    .leaf("CreateDate", clock.date(group.created)),
                ])])
            case "AddUserToGroup":
                try iam.addUserToGroup(user: try required("UserName"), group: try required("GroupName"))
                return result([])
            case "PutGroupPolicy":
                try iam.putGroupPolicy(group: try required("GroupName"), policyName: try required("PolicyName"),
                                       document: try required("PolicyDocument"))
                return result([])
            case "AttachGroupPolicy":
                try iam.attachGroupPolicy(group: try required("GroupName"), policyArn: try required("PolicyArn"))
                return result([])
            case "SimulateCustomPolicy", "SimulatePrincipalPolicy":
                return result(try simulate(query, iam: iam, account: iam.account))
            default:
                return QueryResponse.error(code: "InvalidAction", message: "The action \(action) is not valid for this web service.",
                                           requestId: requestId)
            }
        } catch {
            return QueryResponse.error(code: error.code, message: error.message, status: error.status, requestId: requestId)
        }
    }

    // MARK: Simulation

    /// `SimulateCustomPolicy` / `SimulatePrincipalPolicy`: the same evaluator
    /// that authorizes requests, over the given (or the principal's) policies,
    /// for each action × resource, with the given context entries.
    static func simulate(_ query: QueryRequest, iam: IAMService, account: String) throws(IAMError) -> [XMLElement] {
        var identity: [(id: String, document: PolicyDocument)] = []
        var principalArn = query["CallerArn"] ?? "arn:aws:iam::\(account):user/odas-sim-simulated-caller"
        if query.action == "SimulatePrincipalPolicy" {
            guard let source = query["PolicySourceArn"] else {
                throw IAMError(code: "ValidationError", message: "1 validation error detected: Value null at 'policySourceArn' failed to satisfy constraint: Member must not be null")
            }
            let name = String(source.split(separator: "/").last ?? "")
            if source.contains(":user/"), iam.users[name] != nil {
                identity = iam.identityPolicies(user: name).enumerated().map { ("\(name)-policy-\($0.offset + 1)", $0.element) }
            } else if source.contains(":role/"), iam.roles[name] != nil {
                identity = iam.identityPolicies(role: name).enumerated().map { ("\(name)-policy-\($0.offset + 1)", $0.element) }
            } else if source.contains(":group/"), let group = iam.groups[name] {
                identity = iam.documents(group.permissions).enumerated().map { ("\(name)-policy-\($0.offset + 1)", $0.element) }
            } else {
                throw .noSuchEntity("The entity \(source) cannot be found.")
            }
            if query["CallerArn"] == nil { principalArn = source }
        }
        for (index, text) in query.list("PolicyInputList").enumerated() {
            do { identity.append(("PolicyInputList.\(index + 1)", try PolicyDocument.parse(text))) } catch { throw .malformed(error) }
        }
        var boundary: PolicyDocument?
        if let text = query.list("PermissionsBoundaryPolicyInputList").first {
            do { boundary = try PolicyDocument.parse(text) } catch { throw .malformed(error) }
        }
        var resourcePolicy: PolicyDocument?
        if let text = query["ResourcePolicy"] {
            do { resourcePolicy = try PolicyDocument.parse(text) } catch { throw .malformed(error) }
        }
        let actions = query.list("ActionNames")
        guard !actions.isEmpty else {
            throw IAMError(code: "ValidationError", message: "1 validation error detected: Value null at 'actionNames' failed to satisfy constraint: Member must not be null")
        }
        let resources = query.list("ResourceArns").isEmpty ? ["*"] : query.list("ResourceArns")
        var context: [String: [String]] = [:]
        var entry = 1
        while let key = query["ContextEntries.member.\(entry).ContextKeyName"] {
            context[key, default: []] += query.list("ContextEntries.member.\(entry).ContextKeyValues")
            entry += 1
        }
        let principalAccount = principalArn.split(separator: ":", omittingEmptySubsequences: false).dropFirst(4).first.map(String.init) ?? account
        let resourceOwner = query["ResourceOwner"].flatMap { $0.split(separator: ":").dropFirst(4).first.map(String.init) } ?? principalAccount
        var results: [XMLElement] = []
        for actionName in actions {
            for resource in resources {
                var keys = context
                keys["aws:PrincipalArn"] = keys["aws:PrincipalArn"] ?? [principalArn]
                let request = AuthorizationRequest(principalArn: principalArn, principalAccount: principalAccount, action: actionName,
                                                   resource: resource, resourceAccount: resourceOwner, context: keys)
                let decision = PolicyEvaluator.evaluate(request, identityPolicies: identity.map(\.document), resourcePolicy: resourcePolicy,
                                                        permissionsBoundary: boundary)
                let word: String
                switch decision {
                case .allow: word = "allowed"
                case .explicitDeny: word = "explicitDeny"
                case .implicitDeny: word = "implicitDeny"
                }
                // The policy holding the deciding statement.
                var matched: [XMLElement] = []
                if case .allow = decision, let source = identity.first(where: {
                    PolicyEvaluator.firstAllow([$0.document], request, isResourcePolicy: false) != nil }) {
                    matched.append(XMLElement("member", children: [.leaf("SourcePolicyId", source.id),
                                                                   .leaf("SourcePolicyType", source.id.hasPrefix("PolicyInputList") ? "IAM Policy" : "user")]))
                }
                if case .explicitDeny = decision, let source = identity.first(where: { candidate in
                    candidate.document.statements.contains { $0.effect == .deny && PolicyEvaluator.matches($0, request, isResourcePolicy: false) } }) {
                    matched.append(XMLElement("member", children: [.leaf("SourcePolicyId", source.id), .leaf("SourcePolicyType", "IAM Policy")]))
                }
                results.append(XMLElement("member", children: [
                    .leaf("EvalActionName", actionName), .leaf("EvalResourceName", resource), .leaf("EvalDecision", word),
                    XMLElement("MatchedStatements", children: matched), XMLElement("MissingContextValues"),
                ]))
            }
        }
        return [XMLElement("EvaluationResults", children: results), .leaf("IsTruncated", "false")]
    }

    // MARK: Elements

    static func member(_ element: XMLElement) -> XMLElement { XMLElement("member", children: element.children) }

    static func roleElement(_ role: IAMService.Role, _ clock: Clock) -> XMLElement {
        XMLElement("Role", children: [
            .leaf("Path", role.path), .leaf("RoleName", role.name), .leaf("RoleId", role.roleId), .leaf("Arn", role.arn),
            .leaf("CreateDate", clock.date(role.created)),
            .leaf("AssumeRolePolicyDocument", PercentEncoding.encode(role.assumeRolePolicyDocument)),
            .leaf("Description", role.description), .leaf("MaxSessionDuration", String(role.maxSessionDurationSeconds)),
        ] + (role.permissions.permissionsBoundaryArn.map { [XMLElement("PermissionsBoundary", children: [
            .leaf("PermissionsBoundaryType", "Policy"), .leaf("PermissionsBoundaryArn", $0)])] } ?? []))
    }

    static func userElement(_ user: IAMService.User, _ clock: Clock) -> XMLElement {
        XMLElement("User", children: [
            .leaf("Path", user.path), .leaf("UserName", user.name), .leaf("UserId", user.userId), .leaf("Arn", user.arn),
            .leaf("CreateDate", clock.date(user.created)),
        ])
    }

    static func policyElement(_ policy: IAMService.ManagedPolicy, _ clock: Clock) -> XMLElement {
        XMLElement("Policy", children: [
            .leaf("PolicyName", policy.name), .leaf("PolicyId", policy.policyId), .leaf("Arn", policy.arn), .leaf("Path", policy.path),
            .leaf("DefaultVersionId", policy.defaultVersionId), .leaf("AttachmentCount", "0"), .leaf("IsAttachable", "true"),
            .leaf("Description", policy.description), .leaf("CreateDate", clock.date(policy.created)),
            .leaf("UpdateDate", clock.date(policy.versions.last?.created ?? policy.created)),
        ])
    }

    static func profileElement(_ profile: IAMService.InstanceProfile, _ iam: IAMService, _ clock: Clock) -> XMLElement {
        XMLElement("InstanceProfile", children: [
            .leaf("Path", profile.path), .leaf("InstanceProfileName", profile.name), .leaf("InstanceProfileId", profile.instanceProfileId),
            .leaf("Arn", profile.arn), .leaf("CreateDate", clock.date(profile.created)),
            XMLElement("Roles", children: profile.roles.compactMap { iam.roles[$0] }.map { member(roleElement($0, clock)) }),
        ])
    }

    static func attachedElement(_ arns: [String]) -> XMLElement {
        XMLElement("AttachedPolicies", children: arns.map { arn in
            XMLElement("member", children: [.leaf("PolicyName", String(arn.split(separator: "/").last ?? "")), .leaf("PolicyArn", arn)])
        })
    }
}
