import AWSSim
import SimCore

/// The EC2 installer ("set up an EC2 instance and install ODAS on it, then
/// add nodes"): instances launched one at a time into the installer's
/// subnets in turn; the first runs `kubeadm init` and the ODAS installer,
/// each further control-plane instance joins as a stacked etcd member, each
/// worker joins with the join token; then the ODAS manifests are applied
/// and the installer waits for every service to be ready.
///
/// Durations are seeded simulation choices (docs/fidelity.md, "Installers"):
/// boot 30–60 s; `kubeadm init` with the ODAS installer 2–4 min (kubeadm:
/// "this might take a minute or longer if the control plane images have to
/// be pulled"); a control-plane join 1–2 min (certificates, etcd member
/// added); a worker join 30–90 s. A launch into a zone that is down fails
/// with InsufficientInstanceCapacity and is retried every minute, at most
/// 15 times; a step that needs the instance or the API server waits while
/// they are down, retrying every 30 s. The join token lives 24 h
/// (`kubeadm token create --ttl`, default 24h0m0s); an expired one is replaced.
struct EC2Installer: WorldInstaller {
    enum Stage: Sendable { case launch, boot, install, deploy, waiting }

    let plan: [(name: String, subnet: String, controlPlane: Bool)]
    let instanceType: String
    let securityGroups: [String]
    var index = 0
    var stage = Stage.launch
    var launchTries = 0
    var instanceIds: [String: String] = [:]
    var tokenCreated: SimInstant?
    var noted: String?
    static let retry = SimDuration.seconds(30)
    static let maximumLaunchTries = 15
    static let tokenTTL = SimDuration.hours(24)

    init(spec: InstallerSpec) {
        plan = spec.plannedInstances
        instanceType = spec.instanceType
        securityGroups = spec.securityGroups
    }

    mutating func start(world: inout World) {
        let control = plan.filter(\.controlPlane).count
        world.installPhase("EC2 installer: \(control) control-plane instance\(control == 1 ? "" : "s") and \(plan.count - control) worker\(plan.count - control == 1 ? "" : "s"), \(instanceType)")
        step(world: &world)
    }

    mutating func timer(_ token: Int, world: inout World) { step(world: &world) }

    mutating func observe(_ change: InstallObservation, world: inout World) {
        if case .odasReady = change, stage == .waiting { world.installationSucceeded() }
    }

    /// Says `text` once per wait, not at every retry.
    mutating func note(_ text: String, world: inout World) {
        guard noted != text else { return }
        noted = text
        world.installPhase(text)
    }

    mutating func step(world: inout World) {
        guard index < plan.count || stage == .deploy || stage == .waiting else { return }
        switch stage {
        case .launch: launch(world: &world)
        case .boot:
            let entry = plan[index]
            guard world.faults.isUp(.host(entry.name)) else {
                note("\(entry.name) is down; waiting for it", world: &world)
                world.installerTimer(0, after: Self.retry)
                return
            }
            let first = index == 0
            let (what, range): (String, ClosedRange<SimDuration>) = first ? ("kubeadm init and the ODAS installer", .minutes(2)...(.minutes(4)))
                : entry.controlPlane ? ("kubeadm join --control-plane", .minutes(1)...(.minutes(2))) : ("kubeadm join", .seconds(30)...(.seconds(90)))
            let took = world.installDuration("install." + entry.name, range)
            world.installPhase("\(entry.name) running; \(what) (\(took.readable))")
            stage = .install
            world.installerTimer(0, after: took)
        case .install: join(world: &world)
        case .deploy:
            if let error = world.deployODAS() {
                note("applying the ODAS manifests: \(error); retrying every 30s", world: &world)
                world.installerTimer(0, after: Self.retry)
                return
            }
            world.installPhase("ODAS manifests applied; waiting for every service to be ready")
            stage = .waiting
        case .waiting: break
        }
    }

    mutating func launch(world: inout World) {
        let entry = plan[index]
        guard let subnet = world.scenario.topology.subnets.first(where: { $0.id == entry.subnet }), let block = IPv4Block(subnet.cidr) else {
            world.installationFailed("subnet \(entry.subnet) does not exist")
            return
        }
        guard world.faults.isUp(.subnet(entry.subnet)) else {
            launchTries += 1
            guard launchTries < Self.maximumLaunchTries else {
                world.installationFailed("RunInstances \(entry.name) in \(subnet.availabilityZone) failed \(launchTries) times: InsufficientInstanceCapacity")
                return
            }
            note("RunInstances \(entry.name) in \(subnet.availabilityZone): InsufficientInstanceCapacity (the zone is down); retrying every minute", world: &world)
            world.installerTimer(0, after: .minutes(1))
            return
        }
        launchTries = 0
        let region = world.scenario.topology.regions.first { $0.availabilityZones.contains(subnet.availabilityZone) }?.name ?? ""
        let groups = securityGroups.compactMap { name in world.ec2.securityGroups.values.filter { $0.name == name }.map(\.id).min() }
        let profile = world.scenario.odas?.nodeRole.flatMap { role in world.scenario.iamRoles.first { $0.name == role }?.instanceProfile }
        let id = world.ec2.runInstance(name: entry.name, type: instanceType, region: region, availabilityZone: subnet.availabilityZone,
                                       subnet: entry.subnet, subnetCIDR: block, securityGroups: groups, instanceProfile: profile)
        instanceIds[entry.name] = id
        world.trace.record("ec2", "run-instance", at: world.loop.now, [
            "name": .string(entry.name), "id": .string(id), "az": .string(subnet.availabilityZone),
        ])
        let boot = world.installDuration("boot." + entry.name, .seconds(30)...(.seconds(60)))
        world.installPhase("launched \(entry.name) (\(id)) in \(entry.subnet) (\(subnet.availabilityZone))")
        stage = .boot
        world.installerTimer(0, after: boot)
    }

    mutating func join(world: inout World) {
        let entry = plan[index]
        guard world.faults.isUp(.host(entry.name)) else {
            note("\(entry.name) is down; waiting for it", world: &world)
            world.installerTimer(0, after: Self.retry)
            return
        }
        if index > 0, let created = tokenCreated, world.loop.now - created >= Self.tokenTTL {
            world.installPhase("the join token expired (24h TTL); kubeadm token create made a new one")
            tokenCreated = world.loop.now
        }
        let zone = world.ec2.instances[instanceIds[entry.name] ?? ""]?.availabilityZone ?? ""
        if let error = world.joinInstallerNode(instance: instanceIds[entry.name] ?? "", name: entry.name, availabilityZone: zone,
                                               controlPlane: entry.controlPlane) {
            note("\(entry.name) cannot join: \(error); retrying every 30s", world: &world)
            world.installerTimer(0, after: Self.retry)
            return
        }
        if index == 0 { tokenCreated = world.loop.now }
        let members = world.kube?.controlPlaneMembers.count ?? 0
        world.installPhase(entry.controlPlane ? "\(entry.name) joined the cluster as a control-plane node (etcd members: \(members))"
                                              : "\(entry.name) joined the cluster as a worker")
        index += 1
        stage = index < plan.count ? .launch : .deploy
        step(world: &world)
    }
}
