import Foundation
import Testing
@testable import Scenarios
import SimCore

/// On EKS, LoadBalancer Services get network load balancers (the AWS Load
/// Balancer Controller), Route 53 aliases name them, clients reach the planner
/// through them — and an AZ outage shows through them: the zone's load
/// balancer node stops answering, its targets fail their checks and the zone
/// leaves DNS.
@Suite struct LoadBalancerScenarioTests {
    @Test func theEKSInstallWaitsForItsLoadBalancersAndClientsGoThroughThem() throws {
        let outcome = try ODASShippedScenarioTests.run("install-eks")
        let report = outcome.report
        #expect(report.exitCode == 0, "\(report.expectations.filter { !$0.isAsDeclared }.map(\.detail))")
        let installation = try #require(report.installation)
        #expect(installation.phases.contains { $0.text.contains("waiting for their load balancers") })
        let timeline = report.timeline.map(\.text)
        // One network load balancer per LoadBalancer Service, a node in each zone of the node group.
        for service in ["odas-planner", "odas-worker", "odas-rest-server"] {
            #expect(timeline.contains { $0.hasPrefix("Service okera/\(service): network load balancer k8s-okera-\(service.prefix(8))")
                && $0.hasSuffix("provisioning in us-west-2a, us-west-2b, us-west-2c") }, "\(service)")
        }
        #expect(!timeline.contains { $0.contains("odas-catalog: network load balancer") }, "ClusterIP Services get none")
        // Installed only once the load balancers were active: the slowest takes minutes.
        let installedAt = try #require(installation.phases.last { $0.text.hasPrefix("ODAS installed") }?.at)
        #expect(installedAt.hasPrefix("T+2m") || installedAt.hasPrefix("T+3m") || installedAt.hasPrefix("T+4m"), "\(installedAt)")
        // The zone's targets fail their health checks within two checks of the outage (20m).
        #expect(timeline.contains { $0.contains("(us-west-2a) unhealthy (Target.FailedHealthChecks)") })
        let scans = try #require(report.workloads.first { $0.name == "emr-scans" })
        // Before they do (and while a client's cached answer lasts), calls to the zone's node time out.
        let throughNode = scans.causes.first { $0.cause.contains("planner load balancer k8s-okera-odas-pla") && $0.cause.contains("(us-west-2a): timeout") }
        #expect(throughNode != nil, "\(scans.causes.map(\.cause))")
        #expect(outcome.traceJSONLines.contains("\"kind\":\"alias-load-balancer\""))
        #expect(!scans.causes.contains { $0.cause.contains("NXDOMAIN") }, "the workloads start after the name answers")
        #expect(!report.suggestions.contains { $0.contains("AZRebalance") }, "no rebalancing hurt a workload here")
    }

    @Test func theLoadBalancerPathIsDeterministic() throws {
        let first = try ODASShippedScenarioTests.run("install-eks").report.traceHash
        let second = try ODASShippedScenarioTests.run("install-eks").report.traceHash
        #expect(first == second)
    }

    @Test func theLoaderRefusesAliasesOfServicesWithoutALoadBalancer() throws {
        let eks = try InstallationScenarioTests.text("install-eks")
        let clusterIP = InstallationScenarioTests.errors(InstallationScenarioTests.load(edited: eks.replacingOccurrences(of: "alias: odas/odas-planner", with: "alias: odas/odas-catalog")))
        #expect(clusterIP.contains("odas/odas-catalog is a ClusterIP Service: only LoadBalancer Services"), "\(clusterIP)")
        let unknown = InstallationScenarioTests.errors(InstallationScenarioTests.load(edited: eks.replacingOccurrences(of: "alias: odas/odas-planner", with: "alias: odas/odas-nope")))
        #expect(unknown.contains("must name a record of the zone odas.example.com or the primary ODAS cluster's LoadBalancer Service"), "\(unknown)")
        let withoutEKS = eks.replacingOccurrences(of: "  eks:\n    name: odas\n    nodeGroups: [odas-nodes]\n", with: "")
        #expect(withoutEKS != eks)
        let noEKS = InstallationScenarioTests.errors(InstallationScenarioTests.load(edited: withoutEKS))
        #expect(noEKS.contains("needs EKS (compute.eks)"), "\(noEKS)")
    }

    /// templates/odas-nodes.yaml puts an internal network load balancer in
    /// front of its nodes (the bootstrap instance and the group's, registered
    /// by Auto Scaling) and aliases the planner's name to it in the scenario's zone.
    @Test func theCloudFormationStackPutsALoadBalancerInFrontOfItsNodes() throws {
        let outcome = try ODASShippedScenarioTests.run("install-cloudformation")
        let report = outcome.report
        #expect(report.exitCode == 0, "\(report.expectations.filter { !$0.isAsDeclared }.map(\.detail))")
        let installation = try #require(report.installation)
        #expect(installation.phases.first { $0.text.hasPrefix("CreateStack odas") }?.text.contains("HostedZoneId=Z") == true)
        let timeline = report.timeline.map(\.text)
        // Four group instances, each a target of both groups (the planner's and the REST API's).
        #expect(timeline.filter { $0.contains("registered by auto scaling") }.count >= 8)
        // A target answers only once a planner is ready behind kube-proxy (after
        // the manifests are applied), and the installation is done only when the
        // load balancer answers.
        let applied = try #require(timeline.firstIndex { $0.contains("ODAS manifests applied") })
        let firstHealthy = try #require(timeline.firstIndex { $0.contains("PlannerTarget") && $0.hasSuffix(" healthy") })
        let installed = try #require(timeline.firstIndex { $0.contains("ODAS installed (cloudformation)") })
        #expect(applied < firstHealthy && firstHealthy < installed)
        if let waiting = timeline.firstIndex(where: { $0.contains("waiting for the stack's load balancers") }) { #expect(waiting < installed) }
        // The outage: calls to the zone's load balancer node time out until the zone leaves DNS.
        let scans = try #require(report.workloads.first { $0.name == "emr-scans" })
        #expect(scans.causes.contains { $0.cause.contains("planner load balancer odas-ServiceLoadBa-") && $0.cause.contains("(us-west-2a)") },
                "\(scans.causes.map(\.cause))")
        // AZ rebalancing's termination drains the instance from the target groups.
        #expect(timeline.contains { $0.contains("draining (terminated by auto scaling") })
        #expect(outcome.traceJSONLines.contains("\"resource\":\"PlannerRecord\",\"stack\":\"odas\",\"status\":\"CREATE_COMPLETE\""))
        // Every instance the group terminated is down for good (an etcd member on one would count against quorum).
        let terminated = timeline.filter { $0.contains("auto scaling") && $0.contains(": terminated ") }.count
        #expect(terminated >= 2 && outcome.traceJSONLines.components(separatedBy: "\"kind\":\"host-retired\"").count - 1 == terminated)
        // The finding, with its fix: the rebalancing terminated a node without draining it.
        let fix = report.suggestions.first { $0.contains("to rebalance its zones, without draining the node") }
        #expect(fix?.contains("emr-scans failed on it afterwards") == true && fix?.contains("suspend-processes --scaling-processes AZRebalance") == true,
                "\(report.suggestions)")
    }

    @Test func aClientMayResolveANameOnlyTheStackCreates() throws {
        let cfn = try InstallationScenarioTests.text("install-cloudformation")
        let elsewhere = InstallationScenarioTests.errors(InstallationScenarioTests.load(edited: cfn.replacingOccurrences(
            of: "planners: {dns: planner.odas.example.com}", with: "planners: {dns: other.odas.example.com}")))
        #expect(elsewhere.contains("unknown dns record \"other.odas.example.com\"") && elsewhere.contains("planner.odas.example.com"), "\(elsewhere)")
    }
}
