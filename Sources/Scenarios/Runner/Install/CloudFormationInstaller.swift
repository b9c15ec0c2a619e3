import AWSSim
import SimCore

/// The CloudFormation installer: deploys the scenario's template (e.g.
/// `templates/odas-nodes.yaml`) into the prerequisites the preflight
/// checked, with the parameters it can fill from the scenario (VPC,
/// subnets, security groups, instance profile, log bucket, catalog URL,
/// instance type, the scenario's hosted zone) and those the scenario gives. When the stack is
/// CREATE_COMPLETE, its Auto Scaling instances (their user data ran the
/// ODAS installer and signalled) form the cluster: the first instance in
/// each of up to three zones is a control-plane node (stacked etcd), the
/// rest are workers; instances the group launches later join as workers, and
/// terminated ones leave. Then the ODAS manifests are applied; the
/// installation is done when every service is ready and the stack's load
/// balancers (if any) answer with a healthy target.
///
/// A stack that rolls back is deleted (a ROLLBACK_COMPLETE stack must be,
/// before its name can be used again) and created again while attempts
/// remain; what each rollback left in the fakes is recorded.
struct CloudFormationInstaller: WorldInstaller {
    enum Stage: Sendable { case creating, deleting, deploying, waiting, installed, failed }

    let spec: InstallerSpec
    let source: InstallerSpec.TemplateSource?
    var stage = Stage.creating
    var attempt = 0
    var stackId: String?
    var before: [String] = []
    var group: String?
    var createdAt = SimInstant.zero
    /// What the installer last said it waits for (said once per change).
    var waitingFor: String?
    static let retry = SimDuration.seconds(30)

    init(spec: InstallerSpec) {
        self.spec = spec
        source = spec.template
    }

    mutating func start(world: inout World) { create(world: &world) }

    mutating func timer(_ token: Int, world: inout World) {
        if stage == .deploying { deploy(world: &world) }
    }

    mutating func observe(_ change: InstallObservation, world: inout World) {
        switch change {
        case let .stackStatus(id, status) where id == stackId: stackChanged(status, world: &world)
        case .odasReady where stage == .waiting, .loadBalancersChanged where stage == .waiting:
            guard world.odasReadyAnnounced.contains(0), let id = stackId, let stack = world.cloudFormation.stacks[id] else { return }
            // Clients come in through the stack's load balancers: installed once they answer.
            if let pending = world.stackLoadBalancersPending(stack) {
                if pending != waitingFor {
                    waitingFor = pending
                    world.installPhase("ODAS services ready; waiting for the stack's load balancers: \(pending)")
                }
                return
            }
            stage = .installed
            world.installationSucceeded()
        case let .instanceInService(name, instance, node, zone) where name == group && (stage == .waiting || stage == .installed):
            guard let ec2Instance = world.ec2.instances[instance] else { return }
            let nodeName = ec2Instance.privateDNSName
            guard world.kube?.store.nodes[nodeName] == nil else { return }
            if let error = world.joinInstallerNode(instance: instance, name: nodeName, availabilityZone: zone, controlPlane: false) {
                world.installPhase("\(node) cannot join: \(error)")
            } else {
                world.installPhase("\(nodeName) (\(node), launched by \(name)) joined the cluster as a worker")
            }
        case let .instanceTerminated(name, instance, _) where name == group && (stage == .waiting || stage == .installed):
            guard let ec2Instance = world.ec2.instances[instance] else { return }
            world.eksNodeLeft(name: ec2Instance.privateDNSName)
        default: break
        }
    }

    /// The template's parameters: the scenario's own, then those the installer knows how to fill.
    func parameters(_ world: World, declared: Set<String>) -> [String: String] {
        var values: [String: String] = [:]
        let region = world.scenario.odas?.region ?? ""
        let vpc = world.scenario.topology.regions.first { $0.name == region }?.vpc
        var known: [String: String] = [
            "Subnets": spec.subnets.joined(separator: ","),
            "NodeSecurityGroups": spec.securityGroups.compactMap { name in
                world.ec2.securityGroups.values.filter { $0.name == name }.map(\.id).min()
            }.joined(separator: ","),
            "LogBucket": spec.logBucket,
            "InstanceType": spec.instanceType,
        ]
        if let vpc { known["VpcId"] = World.vpcId(region: region, cidr: vpc.cidr) }
        if let zone = world.route53.zone { known["HostedZoneId"] = zone.id }
        if let role = world.scenario.odas?.nodeRole {
            known["NodeInstanceProfile"] = world.scenario.iamRoles.first { $0.name == role }?.instanceProfile ?? role
        }
        if let url = spec.configuration.first(where: { $0.key == "OKERA_DB_URL" })?.value { known["CatalogJdbcUrl"] = url }
        for (key, value) in known where declared.contains(key) { values[key] = value }
        for (key, value) in source?.parameters ?? [] { values[key] = value }
        return values
    }

    mutating func create(world: inout World) {
        guard let source else {
            world.installationFailed("the cloudformation installer needs a template")
            return
        }
        attempt += 1
        world.installation?.attempts = attempt
        before = world.inventory()
        let declared = Set((try? CFNTemplate.parse(source.body))?.parameters.map(\.name) ?? [])
        var request = CloudFormationService.CreateStackRequest(stackName: source.stackName, templateBody: source.body,
                                                               region: world.scenario.odas?.region ?? "")
        request.parameters = parameters(world, declared: declared)
        request.capabilities = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]
        request.onFailure = "ROLLBACK"
        request.timeoutInMinutes = source.timeoutInMinutes
        do {
            stackId = try world.cloudFormation.createStack(request, now: world.loop.now)
        } catch {
            world.installationFailed("CreateStack \(source.stackName): \(error.code): \(error.message)")
            return
        }
        createdAt = world.loop.now
        stage = .creating
        let of = source.attempts > 1 ? " (attempt \(attempt) of \(source.attempts))" : ""
        world.installPhase("CreateStack \(source.stackName)\(of) from \(source.path): "
                           + request.parameters.keys.sorted().map { "\($0)=\(request.parameters[$0] ?? "")" }.joined(separator: " "))
        world.drainCloudFormation()
    }

    mutating func stackChanged(_ status: String, world: inout World) {
        guard let source, let id = stackId, let stack = world.cloudFormation.stacks[id] else { return }
        switch (stage, status) {
        case (.creating, CFNStackStatus.createComplete.rawValue):
            world.installPhase("stack \(source.stackName) CREATE_COMPLETE after \((world.loop.now - createdAt).readable)")
            formCluster(stack, world: &world)
        case (.creating, CFNStackStatus.rollbackComplete.rawValue), (.creating, CFNStackStatus.rollbackFailed.rawValue),
             (.creating, CFNStackStatus.createFailed.rawValue), (.creating, CFNStackStatus.deleteComplete.rawValue):
            let reason = stack.events.first { $0.resourceStatus == "CREATE_FAILED" }
                .map { "\($0.logicalResourceId): \($0.resourceStatusReason ?? "")" } ?? stack.statusReason ?? status
            let now = world.inventory()
            let left = now.filter { !before.contains($0) }
            world.installation?.leftBehind += left.map { "attempt \(attempt): \($0)" }
            world.installPhase("stack \(source.stackName) \(status): \(reason); " + (left.isEmpty ? "the rollback left nothing behind"
                : "left behind: " + left.joined(separator: ", ")))
            guard attempt < source.attempts, status != CFNStackStatus.rollbackFailed.rawValue else {
                stage = .failed
                world.installationFailed("stack \(source.stackName) \(status): \(reason)")
                return
            }
            if status == CFNStackStatus.deleteComplete.rawValue {
                create(world: &world)
                return
            }
            stage = .deleting
            world.installPhase("DeleteStack \(source.stackName) (a \(status) stack must be deleted before its name is used again)")
            do { try world.cloudFormation.deleteStack(id, now: world.loop.now) } catch {
                stage = .failed
                world.installationFailed("DeleteStack \(source.stackName): \(error.code): \(error.message)")
                return
            }
            world.drainCloudFormation()
            if world.cloudFormation.stacks[id]?.status == .deleteComplete { create(world: &world) }
        case (.deleting, CFNStackStatus.deleteComplete.rawValue):
            create(world: &world)
        case (.deleting, CFNStackStatus.deleteFailed.rawValue):
            stage = .failed
            world.installationFailed("DeleteStack \(source.stackName): DELETE_FAILED")
        default: break
        }
    }

    /// The stack's group's instances in service become the cluster.
    mutating func formCluster(_ stack: CFNStack, world: inout World) {
        guard let name = stack.resources.values.filter({ $0.type == "AWS::AutoScaling::AutoScalingGroup" }).compactMap(\.physicalId).min(),
              let asg = world.autoScaling.groups[name] else {
            stage = .failed
            world.installationFailed("stack \(stack.stackName) has no Auto Scaling group of ODAS nodes")
            return
        }
        group = name
        // Instances the stack declares itself (a bootstrap node) come first, in logical-id order, then the group's.
        let declared = stack.resources.sorted { $0.key < $1.key }.filter { $0.value.type == "AWS::EC2::Instance" }
            .compactMap(\.value.physicalId)
        let members = (declared + asg.instances.filter { !declared.contains($0) }).compactMap { world.ec2.instances[$0] }
            .filter { $0.state != .terminated }
        var controlZones: [String] = []
        for instance in members {
            let control = controlZones.count < 3 && !controlZones.contains(instance.availabilityZone)
            if control { controlZones.append(instance.availabilityZone) }
            let nodeName = instance.privateDNSName
            if let error = world.joinInstallerNode(instance: instance.id, name: nodeName, availabilityZone: instance.availabilityZone,
                                                   controlPlane: control) {
                world.installPhase("\(instance.name) cannot join: \(error)")
                continue
            }
            world.installPhase("\(nodeName) (\(instance.name), \(instance.availabilityZone)) joined the cluster as \(control ? "a control-plane node" : "a worker")")
        }
        stage = .deploying
        deploy(world: &world)
    }

    mutating func deploy(world: inout World) {
        if let error = world.deployODAS() {
            world.installPhase("applying the ODAS manifests: \(error); retrying in 30s")
            world.installerTimer(0, after: Self.retry)
            return
        }
        world.installPhase("ODAS manifests applied; waiting for every service to be ready")
        stage = .waiting
    }
}
