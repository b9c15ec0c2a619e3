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
}
