import Testing
@testable import KubeSim

@Suite struct KubeSimNamespaceTests {
    @Test func namespaceExists() {
        #expect(String(describing: KubeSim.self) == "KubeSim")
    }
}
