import { POISON_FREE, putU64, RED_ACTIVE } from "../content/kernel-memory-bytes.js";
import type { ScenarioContext, ScenarioDefinition, ScenarioPlan } from "../model/scenario-plan.js";
import type { SimTraceEvent } from "../model/sim-trace-event.js";
import type { Truth } from "../model/truth.js";
import { kasanReport, slubReport, taskCaller } from "../writers/console-log-writer.js";
import { bootedConsole, defaultModules, evAlloc, frameAndNeighbours, pfnHex, reportContext, truthRegion } from "./scenario-kit.js";
import { slabPage, SLAB_USERS, slubAllocCheckStack, slubObjectShown } from "./slab-kit.js";

type SlabBug = "use-after-free" | "out-of-bounds" | "double-free";

/**
 * The CPU misusing a slab object, in the two forms kernels report it: KASAN (precise: the bad
 * access, its size, the object, who allocated and freed it) and SLUB debug (after the fact: the
 * poison or red zone found overwritten, or the object already free).
 */
function slabBug(form: "kasan" | "slub", bug: SlabBug) {
  return (ctx: ScenarioContext): ScenarioPlan => {
    const { machine: m, rng, gap } = ctx;
    const user = rng.pick(SLAB_USERS);
    const size = user.cacheSize;
    const slab = slabPage(ctx, size);
    const victim = rng.int(0, slab.objects - 1);
    const objAt = victim * slab.stride;
    const objPhys = slab.objectPhys(victim);
    const virt = (p: bigint): bigint => p + m.linearMapBase;
    const t0 = 900 + rng.int(0, 9000) + rng.next();
    const tCrash = t0 + 3 * gap;
    const owner = { cpu: rng.int(0, 7), task: "kworker/u64:5", pid: rng.int(200, 900) };
    const culprit = { cpu: rng.int(8, 15), task: rng.pick(["kworker/9:1", "systemd-udevd", "rsync"]), pid: rng.int(1000, 9000) };
    const events: SimTraceEvent[] = [evAlloc(t0, owner, slab.pfn, "GFP_KERNEL|__GFP_COMP")];
    const log = bootedConsole(ctx, []);
    const rc = reportContext(ctx, { ...culprit, comm: culprit.task }, defaultModules(m, []));

    let region: Truth["region"] = null;
    let lines: string[];
    if (form === "kasan") {
      let address = virt(objPhys);
      let accessSize = 8;
      let bugType: string = bug === "use-after-free" ? "slab-use-after-free" : bug === "out-of-bounds" ? "slab-out-of-bounds" : "double-free";
      if (bug === "use-after-free") {
        address += BigInt(8 * rng.int(1, size / 8 - 1));
        accessSize = rng.pick([4, 8]);
      } else if (bug === "out-of-bounds") {
        address += BigInt(size + rng.int(0, 7));
        accessSize = rng.pick([1, 2, 4]);
      }
      const access = rng.chance(0.6) ? "Write" : "Read";
      // A bad read corrupts nothing: only a write has a corrupted region.
      if (bug !== "double-free" && access === "Write") region = truthRegion(address - m.linearMapBase, address - m.linearMapBase + BigInt(accessSize), m);
      if (bug === "double-free") bugType = "double-free";
      lines = kasanReport(rc, {
        bugType,
        frame: user.frame,
        access,
        size: accessSize,
        address,
        object: { start: virt(objPhys), size, cache: slab.cache },
        stack: bug === "double-free" ? ["kasan_report_invalid_free", "__kasan_slab_free", "kfree", user.frame, ...user.stack] : [user.frame, ...user.stack],
        allocStack: user.alloc,
        freeStack: bug === "out-of-bounds" ? null : user.free,
        allocPid: rng.int(300, 9000),
        freePid: rng.int(300, 9000),
        pfn: BigInt(slab.pfn),
      });
    } else {
      let what: string;
      let range: { start: bigint; end: bigint; first: number; expected: number } | null = null;
      if (bug === "use-after-free") {
        slab.setFree(victim, true);
        const field = 8 * rng.int(1, size / 8 - 2);
        const pointer = virt(objPhys) - BigInt(rng.int(1, 64) * 64);
        putU64(slab.bytes, objAt + field, pointer, m.endianness);
        for (const edge of [objAt + field, objAt + field + 7]) if (slab.bytes[edge] === POISON_FREE) slab.bytes[edge] ^= 0x01 | 0x10;
        range = { start: virt(objPhys) + BigInt(field), end: virt(objPhys) + BigInt(field + 8), first: slab.bytes[objAt + field], expected: POISON_FREE };
        what = "Poison overwritten";
      } else if (bug === "out-of-bounds") {
        slab.setFree(victim, false);
        const n = rng.int(1, 12);
        const tail = new TextEncoder().encode("eth-rx-queue-overflow-".slice(0, n - 1));
        slab.bytes.set(tail, objAt + size);
        slab.bytes[objAt + size + n - 1] = 0; // the string's NUL
        if (slab.bytes[objAt + size] === RED_ACTIVE) slab.bytes[objAt + size] = 0x65;
        range = { start: virt(objPhys) + BigInt(size), end: virt(objPhys) + BigInt(size + n), first: slab.bytes[objAt + size], expected: RED_ACTIVE };
        what = "Right Redzone overwritten";
      } else {
        slab.setFree(victim, true);
        what = "Object already free";
      }
      if (range) region = truthRegion(range.start - m.linearMapBase, range.end - m.linearMapBase, m);
      lines = slubReport(rc, {
        ...slubObjectShown(slab, victim, Math.min(64, size / 2)),
        what,
        range,
        allocatedIn: user.alloc,
        freedIn: user.free,
        stack:
          bug === "use-after-free"
            ? slubAllocCheckStack(user)
            : ["free_debug_processing", "free_to_partial_list", "__slab_free", "kfree", user.frame, ...user.stack],
      });
    }
    log.add(tCrash, taskCaller(culprit.pid), lines);
    // KASAN names the bad access; SLUB only names the culprit of a double free (the kfree caller).
    const knowsCulprit = form === "kasan" || bug === "double-free";
    return {
      console: log.render(),
      events,
      trace: true,
      reserved: frameAndNeighbours(slab.pfn),
      devices: [],
      window: { start: t0 - 10, end: tCrash },
      memory: form === "slub" ? [{ phys: slab.phys, bytes: slab.bytes }] : null,
      systemMap: true,
      lspci: false,
      truth: {
        story: `${form === "kasan" ? "KASAN" : "SLUB debug"} reports a ${bug} on a ${slab.cache} object of ${user.frame.split("_")[0]} code in frame ${pfnHex(slab.pfn)}.`,
        verdict: bug,
        region,
        frames: [pfnHex(slab.pfn)],
        suspect: knowsCulprit ? { device: null, driver: null, function: user.frame } : null,
        crash: { kind: form === "kasan" ? "kasan" : "slub-poison", frame: form === "kasan" ? user.frame : null },
        missing: [],
      },
    };
  };
}

function def(form: "kasan" | "slub", bug: SlabBug, summary: string): ScenarioDefinition {
  return {
    name: `${bug === "use-after-free" ? "uaf" : bug === "out-of-bounds" ? "oob" : "double-free"}-${form}`,
    summary,
    defaultArch: "x86_64",
    arches: form === "kasan" ? ["x86_64"] : ["x86_64", "ppc64le", "ppc64"],
    run: slabBug(form, bug),
  };
}

export const uafKasan = def("kasan", "use-after-free", "KASAN slab-use-after-free: a write through a stale pointer into a freed object");
export const oobKasan = def("kasan", "out-of-bounds", "KASAN slab-out-of-bounds: a write just past the end of an allocated object");
export const doubleFreeKasan = def("kasan", "double-free", "KASAN double-free: kfree of an object already freed");
export const uafSlub = def("slub", "use-after-free", "SLUB Poison overwritten: 8 bytes at a field offset of a free object");
export const oobSlub = def("slub", "out-of-bounds", "SLUB Right Redzone overwritten: a string ran past its object's end");
export const doubleFreeSlub = def("slub", "double-free", "SLUB Object already free: kfree of a free object");
