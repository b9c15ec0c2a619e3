import AWSSim
import SimCore

/// CloudFormation in the world: stack work runs on the event loop, with the
/// AWS fakes lent to the engine for each step (swapped, not copied), and
/// every stack event goes to the trace.
extension World {
    mutating func handleCloudFormation(_ event: CFNEvent) {
        var services = CFNServices(s3: S3Service(random: SimRandom(seed: 0)), iam: IAMService(account: World.account),
                                   kms: KMSService(account: World.account), ec2: EC2Service(random: SimRandom(seed: 0)))
        swap(&services.s3, &s3)
        swap(&services.iam, &iam)
        swap(&services.kms, &kms)
        swap(&services.ec2, &ec2)
        cloudFormation.handle(event, services: &services, faults: faults, now: loop.now)
        swap(&services.s3, &s3)
        swap(&services.iam, &iam)
        swap(&services.kms, &kms)
        swap(&services.ec2, &ec2)
        policyCache.removeAll()
        drainS3Outbox()
        drainCloudFormation()
    }

    /// Schedules the engine's next steps and traces the stack events since the last call.
    mutating func drainCloudFormation() {
        for item in cloudFormation.outbox { loop.schedule(.cloudFormation(item.event), at: item.at) }
        cloudFormation.outbox.removeAll()
        for stackId in cloudFormation.stackOrder {
            guard let stack = cloudFormation.stacks[stackId] else { continue }
            let traced = cloudFormationEventsTraced[stackId] ?? 0
            guard stack.events.count > traced else { continue }
            for event in stack.events[traced...] {
                trace.record("cloudformation", "stack-event", at: event.timestamp, [
                    "stack": .string(event.stackName), "resource": .string(event.logicalResourceId),
                    "type": .string(event.resourceType), "status": .string(event.resourceStatus),
                    "reason": .string(event.resourceStatusReason ?? ""),
                ])
            }
            cloudFormationEventsTraced[stackId] = stack.events.count
        }
    }
}
