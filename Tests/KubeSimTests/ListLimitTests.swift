import Foundation
import SimCore
import Testing
@testable import KubeSim

/// Lists bounded by `limit`/`continue`, resource versions validated, objects bounded in size.
@Suite struct ListLimitTests {
    func get(_ target: String, _ cluster: inout KubeCluster) -> (status: Int, json: [String: Any]) {
        let request = WireRequest(method: "GET", target: target, headers: [("Accept", "application/json")])
        guard case .response(let response) = KubeAPIAdapter.handle(request, cluster: &cluster, serverAddress: "127.0.0.1") else {
            return (0, [:])
        }
        return (response.status, (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:])
    }

    func post(_ target: String, _ body: [String: Any], _ cluster: inout KubeCluster) -> (status: Int, json: [String: Any]) {
        let data = (try? JSONSerialization.data(withJSONObject: body)) ?? Data()
        let request = WireRequest(method: "POST", target: target, headers: [("Content-Type", "application/json")], body: Array(data))
        guard case .response(let response) = KubeAPIAdapter.handle(request, cluster: &cluster, serverAddress: "127.0.0.1") else {
            return (0, [:])
        }
        return (response.status, (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:])
    }

    func configMap(_ name: String, data: [String: String] = [:]) -> [String: Any] {
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": name], "data": data]
    }

    @Test func aListHonoursLimitAndContinueUntilEveryItemIsSeen() {
        var (cluster, _) = makeCluster()
        for i in 0..<7 { #expect(post("/api/v1/namespaces/default/configmaps", configMap("cm-\(i)"), &cluster).status == 201) }
        var seen: [String] = []
        var target = "/api/v1/namespaces/default/configmaps?limit=3"
        var pages = 0
        while pages < 10 {
            let page = get(target, &cluster)
            #expect(page.status == 200)
            let items = page.json["items"] as? [[String: Any]] ?? []
            #expect(items.count <= 3)
            seen += items.compactMap { ($0["metadata"] as? [String: Any])?["name"] as? String }
            pages += 1
            guard let next = (page.json["metadata"] as? [String: Any])?["continue"] as? String else { break }
            #expect((page.json["metadata"] as? [String: Any])?["remainingItemCount"] as? Int == 7 - seen.count)
            target = "/api/v1/namespaces/default/configmaps?limit=3&continue=\(next)"
        }
        #expect(pages == 3)
        #expect(seen == (0..<7).map { "cm-\($0)" })
    }

    @Test func aBadContinueTokenOrResourceVersionIsABadRequestStatus() {
        var (cluster, _) = makeCluster()
        let token = get("/api/v1/namespaces/default/configmaps?limit=1&continue=garbage", &cluster)
        #expect(token.status == 400 && token.json["reason"] as? String == "BadRequest")
        let version = get("/api/v1/pods?resourceVersion=abc", &cluster)
        #expect(version.status == 400 && version.json["kind"] as? String == "Status")
        #expect(version.json["message"] as? String == "resourceVersion: Invalid value: \"abc\": strconv.ParseUint: parsing \"abc\": invalid syntax")
        #expect(get("/api/v1/pods?resourceVersion=0", &cluster).status == 200)
    }

    @Test func anObjectLargerThanEtcdsRequestLimitIsRefused() {
        var (cluster, _) = makeCluster()
        let big = configMap("big", data: ["blob": String(repeating: "x", count: 1_600_000)])
        let refused = post("/api/v1/namespaces/default/configmaps", big, &cluster)
        #expect(refused.status == 500 && refused.json["message"] as? String == "etcdserver: request is too large")
        #expect(post("/api/v1/namespaces/default/configmaps", configMap("small"), &cluster).status == 201)
    }
}
