/// AWS::IAM::Role, InstanceProfile, ManagedPolicy, Policy and RolePolicy, in the IAM fake.
enum CFNIAMHandler: CFNResourceHandler {
    static let types = ["AWS::IAM::Role", "AWS::IAM::InstanceProfile", "AWS::IAM::ManagedPolicy", "AWS::IAM::Policy", "AWS::IAM::RolePolicy",
                        "AWS::IAM::User", "AWS::IAM::Group"]

    static func iam<T>(_ body: () throws(IAMError) -> T) throws(CFNError) -> T {
        do { return try body() } catch { throw CFNError(error.code, error.message, status: error.status) }
    }

    static func document(_ request: CFNResourceRequest, _ key: String) throws(CFNError) -> String {
        CFNJSON.render(try request.requiredValue(key))
    }

    static func create(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) -> CFNContext.ResourceState {
        let path = request.string("Path") ?? "/"
        switch request.type {
        case "AWS::IAM::Role":
            let name = request.string("RoleName") ?? String(request.generatedName.prefix(64))
            let trust = try document(request, "AssumeRolePolicyDocument")
            let role = try iam { () throws(IAMError) in
                try services.iam.createRole(name: name, trustPolicy: trust, path: path, description: request.string("Description") ?? "",
                                            maxSessionDurationSeconds: Int(request.string("MaxSessionDuration") ?? "") ?? 3600, now: request.now)
            }
            do throws(CFNError) {
                for arn in request.strings("ManagedPolicyArns") { try iam { () throws(IAMError) in try services.iam.attachRolePolicy(role: name, policyArn: arn) } }
                for policy in request.properties["Policies"]?.listValue ?? [] {
                    guard let fields = policy.mapValue, let policyName = fields["PolicyName"]?.scalarText, let body = fields["PolicyDocument"] else {
                        throw CFNError("ValidationError", "Properties validation failed for resource \(request.logicalId) with message: #/Policies: required key [PolicyName, PolicyDocument] not found")
                    }
                    try iam { () throws(IAMError) in try services.iam.putRolePolicy(role: name, policyName: policyName, document: CFNJSON.render(body)) }
                }
                if let boundary = request.string("PermissionsBoundary") {
                    try iam { () throws(IAMError) in try services.iam.putRolePermissionsBoundary(role: name, policyArn: boundary) }
                }
            } catch {
                removeRole(name, &services)
                throw error
            }
            return .init(type: request.type, physicalId: name, attributes: ["Arn": .string(role.arn), "RoleId": .string(role.roleId)])
        case "AWS::IAM::User", "AWS::IAM::Group":
            let isUser = request.type == "AWS::IAM::User"
            let name = request.string(isUser ? "UserName" : "GroupName") ?? String(request.generatedName.prefix(64))
            let arn: String
            if isUser {
                arn = try iam { () throws(IAMError) in try services.iam.createUser(name: name, path: path, now: request.now) }.arn
            } else {
                arn = try iam { () throws(IAMError) in try services.iam.createGroup(name: name, path: path, now: request.now) }.arn
            }
            for policyArn in request.strings("ManagedPolicyArns") {
                if isUser { try? services.iam.attachUserPolicy(user: name, policyArn: policyArn) } else { try? services.iam.attachGroupPolicy(group: name, policyArn: policyArn) }
            }
            for policy in request.properties["Policies"]?.listValue ?? [] {
                guard let fields = policy.mapValue, let policyName = fields["PolicyName"]?.scalarText, let body = fields["PolicyDocument"] else { continue }
                if isUser {
                    try iam { () throws(IAMError) in try services.iam.putUserPolicy(user: name, policyName: policyName, document: CFNJSON.render(body)) }
                } else {
                    try iam { () throws(IAMError) in try services.iam.putGroupPolicy(group: name, policyName: policyName, document: CFNJSON.render(body)) }
                }
            }
            if isUser { for group in request.strings("Groups") { try? services.iam.addUserToGroup(user: name, group: group) } }
            return .init(type: request.type, physicalId: name, attributes: ["Arn": .string(arn)])
        case "AWS::IAM::InstanceProfile":
            let name = request.string("InstanceProfileName") ?? String(request.generatedName.prefix(128))
            let roles = request.strings("Roles")
            guard roles.count == 1 else {
                throw CFNError("ValidationError", "Properties validation failed for resource \(request.logicalId) with message: #/Roles: expected exactly 1 item (an instance profile holds one role)")
            }
            let profile = try iam { () throws(IAMError) in try services.iam.createInstanceProfile(name: name, path: path, now: request.now) }
            do throws(CFNError) { try iam { () throws(IAMError) in try services.iam.addRoleToInstanceProfile(profile: name, role: roles[0]) } } catch {
                try? services.iam.deleteInstanceProfile(name)
                throw error
            }
            return .init(type: request.type, physicalId: name, attributes: ["Arn": .string(profile.arn)])
        case "AWS::IAM::ManagedPolicy":
            let name = request.string("ManagedPolicyName") ?? String(request.generatedName.prefix(128))
            let body = try document(request, "PolicyDocument")
            let policy = try iam { () throws(IAMError) in
                try services.iam.createPolicy(name: name, document: body, path: path, description: request.string("Description") ?? "", now: request.now)
            }
            for role in request.strings("Roles") { try? services.iam.attachRolePolicy(role: role, policyArn: policy.arn) }
            return .init(type: request.type, physicalId: policy.arn, attributes: ["PolicyArn": .string(policy.arn), "PolicyId": .string(policy.policyId)])
        default: // AWS::IAM::Policy and AWS::IAM::RolePolicy: inline policies on roles
            let name = try request.required("PolicyName")
            let body = try document(request, "PolicyDocument")
            let roles = request.type == "AWS::IAM::RolePolicy" ? [try request.required("RoleName")] : request.strings("Roles")
            for role in roles {
                try iam { () throws(IAMError) in try services.iam.putRolePolicy(role: role, policyName: name, document: body) }
            }
            let id = request.type == "AWS::IAM::Policy" ? String(request.generatedName.suffix(13)) : name
            return .init(type: request.type, physicalId: id, attributes: ["Id": .string(id)])
        }
    }

    static func delete(_ request: CFNResourceRequest, _ services: inout CFNServices) throws(CFNError) {
        guard let id = request.state?.physicalId else { return }
        switch request.type {
        case "AWS::IAM::Role": removeRole(id, &services)
        case "AWS::IAM::User":
            services.iam.detachEverything(user: id)
            try iam { () throws(IAMError) in try services.iam.deleteUser(id) }
        case "AWS::IAM::Group":
            if var group = services.iam.groups[id] {
                group.members = []
                group.permissions = IAMService.Permissions()
                services.iam.groups[id] = group
            }
            try iam { () throws(IAMError) in try services.iam.deleteGroup(id) }
        case "AWS::IAM::InstanceProfile":
            for role in services.iam.instanceProfiles[id]?.roles ?? [] { try? services.iam.removeRoleFromInstanceProfile(profile: id, role: role) }
            try iam { () throws(IAMError) in try services.iam.deleteInstanceProfile(id) }
        case "AWS::IAM::ManagedPolicy":
            for role in services.iam.roles.keys.sorted() where services.iam.roles[role]?.permissions.attachedPolicyArns.contains(id) == true {
                try? services.iam.detachRolePolicy(role: role, policyArn: id)
            }
            try iam { () throws(IAMError) in try services.iam.deletePolicy(arn: id) }
        default:
            let name = request.string("PolicyName") ?? id
            let roles = request.type == "AWS::IAM::RolePolicy" ? [request.string("RoleName") ?? ""] : request.strings("Roles")
            for role in roles { try? services.iam.deleteRolePolicy(role: role, policyName: name) }
        }
    }

    /// Detaches and deletes a role's own policies (those CloudFormation put), then the role.
    static func removeRole(_ name: String, _ services: inout CFNServices) {
        guard let role = services.iam.roles[name] else { return }
        for arn in role.permissions.attachedPolicyArns { try? services.iam.detachRolePolicy(role: name, policyArn: arn) }
        for policy in role.permissions.inlinePolicies { try? services.iam.deleteRolePolicy(role: name, policyName: policy.name) }
        try? services.iam.deleteRole(name)
    }
}
