import Foundation
import Testing
@testable import TemplateMiner

/// The built-in masks of the one default configuration: values become `<*>`, the words
/// around them stay, and the parameters are the original text.
@Suite struct MaskingTests {
    func mined(_ line: String, configuration: MinerConfiguration = .default) -> (String, [String]) {
        var miner = TemplateMiner(configuration: configuration)
        let result = miner.mine(line)
        return (miner.template(for: result.templateID) ?? "", result.parameters)
    }

    @Test func ipv4WithAndWithoutPort() {
        #expect(mined("connect to 10.251.42.84:50010 failed") == ("connect to <*> failed", ["10.251.42.84:50010"]))
        #expect(mined("from /10.250.19.102:54106 ok") == ("from /<*> ok", ["10.250.19.102:54106"]))
        #expect(mined("peer (192.168.0.1) gone") == ("peer (<*>) gone", ["192.168.0.1"]))
    }

    @Test func ipv6() {
        #expect(mined("listen on fe80::1ff:fe23:4567:890a port 22") == ("listen on <*> port <*>", ["fe80::1ff:fe23:4567:890a", "22"]))
        var miner = TemplateMiner()
        let a = miner.mine("bound [2001:db8::1]:8080")
        let b = miner.mine("bound [fe80::aa:bb01]:443")
        #expect(a.templateID == b.templateID)
        #expect(miner.template(for: a.templateID)?.hasPrefix("bound [<*>") == true)
    }

    @Test func hexAndNumbers() {
        #expect(mined("flags=0x7fed806eb5d set") == ("flags=<*> set", ["0x7fed806eb5d"]))
        #expect(mined("read 4096 bytes") == ("read <*> bytes", ["4096"]))
        #expect(mined("temperature -12.5 degrees") == ("temperature <*> degrees", ["-12.5"]))
    }

    @Test func numbersWithUnitsAndDurations() {
        #expect(mined("estimated size 5.2 KB, free 317.1 KB") == ("estimated size <*>, free <*>", ["5.2 KB", "317.1 KB"]))
        #expect(mined("request took 30ms") == ("request took <*>", ["30ms"]))
        #expect(mined("timeout after 2.5 s") == ("timeout after <*>", ["2.5 s"]))
    }

    @Test func uuids() {
        #expect(mined("[instance: b9000564-fe1a-409b-b8cc-1e88b294cd1d] Terminating instance")
                == ("[instance: <*>] Terminating instance", ["b9000564-fe1a-409b-b8cc-1e88b294cd1d"]))
    }

    @Test func pathsURLsAndEmails() {
        #expect(mined("open /var/lib/rationd/state failed") == ("open <*> failed", ["/var/lib/rationd/state"]))
        #expect(mined("fetch https://example.org/a?b=c done") == ("fetch <*> done", ["https://example.org/a?b=c"]))
        #expect(mined("mail to alice@example.com sent") == ("mail to <*> sent", ["alice@example.com"]))
        #expect(mined("loaded C:\\Windows\\winsxs\\cbscore.dll") == ("loaded <*>", ["C:\\Windows\\winsxs\\cbscore.dll"]))
    }

    @Test func timestamps() {
        #expect(mined("connection at Fri Jul  1 07:57:30 2005 closed") == ("connection at <*> closed", ["Fri Jul  1 07:57:30 2005"]))
        #expect(mined("started 2016-09-28 04:30:30, ok") == ("started <*>, ok", ["2016-09-28 04:30:30"]))
        #expect(mined("backup on May 3 finished") == ("backup on <*> finished", ["May 3"]))
        // A capitalised month name not followed by a number is a word.
        #expect(mined("May the force be with you").0 == "May the force be with you")
    }

    @Test func keyValueValues() {
        #expect(mined("ready=true,policy=3,mode=false") == ("ready=<*>,policy=<*>,mode=<*>", ["true", "3", "false"]))
        #expect(mined("acquire tag=\"View Lock\", ws=null") == ("acquire tag=\"<*>\", ws=<*>", ["View Lock", "null"]))
        #expect(mined("HWID check (HWID=1973)") == ("HWID check (HWID=<*>)", ["1973"]))
        #expect(mined("logname= uid=0 euid=0").0 == "logname= uid=<*> euid=<*>")
    }

    @Test func valueKeysAndBooleans() {
        #expect(mined("session opened for user cyrus by (uid=0)") == ("session opened for user <*> by (uid=<*>)", ["cyrus", "0"]))
        #expect(mined("overlap:false") == ("overlap:<*>", ["false"]))
    }

    @Test func emptyBracketsStandForAbsentValues() {
        var miner = TemplateMiner()
        let a = miner.mine("connection from 1.2.3.4 () at noon")
        let b = miner.mine("connection from 1.2.3.5 (dsl-059.example.net) at noon")
        #expect(a.templateID == b.templateID)
        #expect(miner.template(for: a.templateID) == "connection from <*> (<*>) at noon")
    }

    @Test func wordsWithoutValuesStay() {
        #expect(mined("onReceive action: android.intent.action.SCREEN_ON") == ("onReceive action: android.intent.action.SCREEN_ON", []))
        #expect(mined("Verification succeeded").1 == [])
    }

    @Test func operatorMasksApplyToWholeWords() throws {
        var configuration = MinerConfiguration.default
        configuration.extraMasks = [MaskingRule(name: "ticket", pattern: "[A-Z]+-[A-Z]+")]
        try configuration.validate()
        #expect(mined("closed ABC-DEF today", configuration: configuration) == ("closed <*> today", ["ABC-DEF"]))
        #expect(mined("closed ABC today", configuration: configuration) == ("closed ABC today", []))
    }

    @Test func invalidMaskPatternIsRejectedWithItsKey() {
        var configuration = MinerConfiguration.default
        configuration.extraMasks = [MaskingRule(name: "bad", pattern: "([a-z")]
        #expect {
            try configuration.validate()
        } throws: { error in
            guard case let MinerError.invalidConfiguration(key, _) = error else { return false }
            return key == "extraMasks[0]"
        }
    }

    @Test func wildcardConstantMatchesItsHash() {
        #expect(TokenHash.wildcard == TokenHash.hash("<*>"))
    }
}

@Suite struct ConfigurationTests {
    @Test func outOfRangeValuesNameTheirKey() {
        var configuration = MinerConfiguration.default
        configuration.similarityThreshold = 1.5
        #expect(throws: MinerError.invalidConfiguration(key: "similarityThreshold", reason: "must be within 0...1, is 1.5")) {
            try configuration.validate()
        }
    }
}

/// Host names, `host:port` and sizes in either form are values on any system.
@Suite struct HostAndSizeMaskingTests {
    func template(_ line: String) -> String {
        var miner = TemplateMiner()
        let id = miner.mine(line).templateID
        return miner.template(for: id) ?? ""
    }

    @Test func qualifiedNamesAndHostPortsAreValues() {
        #expect(template("connect to proxy.cse.cuhk.edu.hk:5070 failed") == "connect to <*> failed")
        #expect(template("resolved www.google.com quickly") == "resolved <*> quickly")
        #expect(template("listening on localhost:8080 now") == "listening on <*> now")
        #expect(template("peer db-7.internal:5432 gone") == "peer <*> gone")
    }

    @Test func dottedNamesThatAreNotHostsStay() {
        #expect(template("loading org.apache.hadoop.mapred.MapTask now") == "loading org.apache.hadoop.mapred.MapTask now")
        #expect(template("running setup.py again") == "running setup.py again")
        #expect(template("intent android.intent.action.SCREEN_ON sent") == "intent android.intent.action.SCREEN_ON sent")
    }

    @Test func sizeUnitsDoNotSplitTemplates() {
        var miner = TemplateMiner()
        let kb = miner.mine("sent 1190 bytes (1.16 KB) to peer")
        let mb = miner.mine("sent 3000000 bytes (3 MB) to peer")
        let plain = miner.mine("sent 12 bytes (12KB) to peer")
        #expect(kb.templateID == mb.templateID)
        #expect(kb.templateID == plain.templateID)
        #expect(miner.template(for: kb.templateID) == "sent <*> bytes (<*>) to peer")
        #expect(mb.parameters == ["3000000", "3 MB"])
    }
}
