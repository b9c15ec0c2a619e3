import Foundation
import Testing

/// `report.html` in a real browser: headless Chromium renders it to a
/// screenshot and its DOM, after the page's script ran, shows the timeline
/// marks and a failed expectation as failed.
@Suite struct HTMLReportBrowserTests {
    static func chromium(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                             "--user-data-dir=\(FileManager.default.temporaryDirectory.appendingPathComponent("odas-chromium-\(UUID().uuidString)").path)"] + arguments
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString).out")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(90)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, String(decoding: try Data(contentsOf: output), as: UTF8.self))
    }

    @Test func chromiumRendersTheReportOfAFailedRun() throws {
        guard requireTool("chromium", check: ["--version"]) else { return }
        let directory = try OdasSimProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // The explore fixture with an RTO it cannot meet: a failed run.
        let fixture = try String(contentsOfFile: OdasSimProcess.packageRoot.appendingPathComponent("Tests/ScenariosTests/Fixtures/explore-db.yaml").path, encoding: .utf8)
        let scenario = directory.appendingPathComponent("tight.yaml")
        try fixture.replacingOccurrences(of: "rto: {writes: 3m}", with: "rto: {writes: 20s}").write(to: scenario, atomically: true, encoding: .utf8)
        let reports = directory.appendingPathComponent("reports")
        let run = try OdasSimProcess.run(["run", scenario.path, "--report-dir", reports.path, "--quiet"])
        #expect(run.exitCode == 1, "\(run.stderr)")
        let page = reports.appendingPathComponent("report.html")
        #expect(FileManager.default.fileExists(atPath: page.path))

        let screenshot = directory.appendingPathComponent("report.png")
        let shot = try Self.chromium(["--window-size=1400,2200", "--screenshot=\(screenshot.path)", page.absoluteString])
        #expect(shot.status == 0)
        let png = try Data(contentsOf: screenshot)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "not a PNG")
        #expect(png.count > 20_000, "a near-empty screenshot (\(png.count) bytes)")

        let dom = try Self.chromium(["--dump-dom", page.absoluteString])
        #expect(dom.status == 0)
        #expect(dom.output.contains("data-ready=\"true\""), "the page's script did not run")
        #expect(dom.output.contains("data-fault=\"lose-2a\""))
        #expect(dom.output.contains("class=\"rto-window\""))
        #expect(dom.output.contains("<tr class=\"fail\" data-id=\"rto/writes\"><td class=\"status\">FAIL</td>"))
        #expect(dom.output.contains("<span class=\"verdict fail\">FAIL</span>"))
        // The script shows one topology snapshot, the one the slider names.
        #expect(dom.output.components(separatedBy: "class=\"topology\"").count - 1 > 1)
        #expect(dom.output.contains("<output id=\"instant-label\">T+3m1s</output>"))
    }
}
