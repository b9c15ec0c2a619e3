/// Deleting roles, instance profiles and managed policies, with IAM's
/// ordering rules: an entity still in use is a `DeleteConflict` (409), as the
/// IAM API Reference's DeleteRole, DeleteInstanceProfile and DeletePolicy say.
extension IAMService {
    static func conflict(_ message: String) -> IAMError { IAMError(code: "DeleteConflict", status: 409, message: message) }

    /// DeleteRolePolicy: removes an inline policy.
    public mutating func deleteRolePolicy(role name: String, policyName: String) throws(IAMError) {
        var role = try requireRole(name)
        guard role.permissions.inlinePolicies.contains(where: { $0.name == policyName }) else {
            throw .noSuchEntity("The role policy with name \(policyName) cannot be found.")
        }
        role.permissions.inlinePolicies.removeAll { $0.name == policyName }
        roles[name] = role
    }

    /// DetachRolePolicy.
    public mutating func detachRolePolicy(role name: String, policyArn: String) throws(IAMError) {
        var role = try requireRole(name)
        guard role.permissions.attachedPolicyArns.contains(policyArn) else { throw .noSuchEntity("Policy \(policyArn) was not found.") }
        role.permissions.attachedPolicyArns.removeAll { $0 == policyArn }
        roles[name] = role
    }

    /// RemoveRoleFromInstanceProfile.
    public mutating func removeRoleFromInstanceProfile(profile name: String, role: String) throws(IAMError) {
        guard var profile = instanceProfiles[name] else { throw .noSuchEntity("Instance Profile \(name) cannot be found.") }
        guard profile.roles.contains(role) else { throw .noSuchEntity("The role with name \(role) cannot be found in instance profile \(name).") }
        profile.roles.removeAll { $0 == role }
        instanceProfiles[name] = profile
    }

    /// DeleteInstanceProfile: its role must have been removed first.
    public mutating func deleteInstanceProfile(_ name: String) throws(IAMError) {
        guard let profile = instanceProfiles[name] else { throw .noSuchEntity("Instance Profile \(name) cannot be found.") }
        guard profile.roles.isEmpty else { throw Self.conflict("Cannot delete entity, must remove roles from instance profile first.") }
        instanceProfiles[name] = nil
    }

    /// DeleteRole: no instance profile may hold it, and no policy may be attached or inline.
    public mutating func deleteRole(_ name: String) throws(IAMError) {
        let role = try requireRole(name)
        if instanceProfiles.values.contains(where: { $0.roles.contains(name) }) {
            throw Self.conflict("Cannot delete entity, must remove roles from instance profile first.")
        }
        guard role.permissions.attachedPolicyArns.isEmpty else { throw Self.conflict("Cannot delete entity, must detach all policies first.") }
        guard role.permissions.inlinePolicies.isEmpty else { throw Self.conflict("Cannot delete entity, must delete policies first.") }
        roles[name] = nil
    }

    /// DeletePolicy: a managed policy attached to nothing.
    public mutating func deletePolicy(arn: String) throws(IAMError) {
        guard policies[arn] != nil else { throw .noSuchEntity("Policy \(arn) was not found.") }
        let attached = roles.values.contains { $0.permissions.attachedPolicyArns.contains(arn) || $0.permissions.permissionsBoundaryArn == arn }
            || users.values.contains { $0.permissions.attachedPolicyArns.contains(arn) }
            || groups.values.contains { $0.permissions.attachedPolicyArns.contains(arn) }
        guard !attached else { throw Self.conflict("Cannot delete a policy attached to entities.") }
        policies[arn] = nil
    }

    /// DeleteUser: its access keys, inline and attached policies and group memberships must be gone first.
    public mutating func deleteUser(_ name: String) throws(IAMError) {
        guard let user = users[name] else { throw .noSuchEntity("The user with name \(name) cannot be found.") }
        guard !accessKeys.values.contains(where: { $0.userName == name }) else { throw Self.conflict("Cannot delete entity, must delete access keys first.") }
        guard user.permissions.inlinePolicies.isEmpty else { throw Self.conflict("Cannot delete entity, must delete policies first.") }
        guard user.permissions.attachedPolicyArns.isEmpty else { throw Self.conflict("Cannot delete entity, must detach all policies first.") }
        guard !groups.values.contains(where: { $0.members.contains(name) }) else { throw Self.conflict("Cannot delete entity, must remove users from group first.") }
        users[name] = nil
    }

    /// Removes everything attached to a user (what CloudFormation does before DeleteUser).
    public mutating func detachEverything(user name: String) {
        for id in accessKeys.keys.sorted() where accessKeys[id]?.userName == name { accessKeys[id] = nil }
        users[name]?.permissions.inlinePolicies = []
        users[name]?.permissions.attachedPolicyArns = []
        for group in groups.keys.sorted() { groups[group]?.members.removeAll { $0 == name } }
    }

    /// DeleteGroup: no members and no policies.
    public mutating func deleteGroup(_ name: String) throws(IAMError) {
        guard let group = groups[name] else { throw .noSuchEntity("The group with name \(name) cannot be found.") }
        guard group.members.isEmpty else { throw Self.conflict("Cannot delete entity, must remove users from group first.") }
        guard group.permissions.inlinePolicies.isEmpty, group.permissions.attachedPolicyArns.isEmpty else {
            throw Self.conflict("Cannot delete entity, must delete policies first.")
        }
        groups[name] = nil
    }
}
