#!/usr/bin/env python3
"""Differential fuzzing of closure semantics against CPython: random programs of closures
with `nonlocal` state called in loops (counters, averagers, accumulators), compose chains,
captured callees rebound or raising on call N, late binding and default-argument capture,
unbound free and local variables, cells written through `__closure__`, recursion through
closures (and RecursionError), short-lived closures in loops, decorators, closures kept in
lists and dicts or called by builtins, globals rebound during the run, random nests of
scopes (nonlocal / global / del), random closure bodies, and int arithmetic across 2**47.
Each program is run by python3 and by `cellar run`; stdout, exit status and the last line
of stderr must be equal. A Rust panic, a signal exit or a timeout is a failure too.

A program is 3-7 sections (the g_* methods of Gen), each at module level or inside a
function of its own, each in a try that prints what escapes it; sometimes an uncaught error
ends the program. Call counts cluster around the JIT's specialisation points: a closure
whose body calls a frozen capture gets a body of its own at its 1000th call, compiled on a
helper thread and installed at a later ask (every 256 calls), so exceptions, rebindings
and cell writes happen just before, at and after calls 1000, 1256, 1512, ...
(src/jit/specialize.rs). About 30% of programs use __closure__ / cell_contents, which turns
frozen captures off for the whole program, so the others keep them.

Modes: `jit` (plain `cellar run`), `wait` (CELLAR_SPECIALIZE_WAIT=1: the specialised body is
installed at the first ask, from call 1001 on; --no-wait drops it), `interp` (`--interp`,
with -i), and on every 4th program (--torture-every K, 0 for none) `torture`
(CELLAR_GC_TORTURE=1 with CELLAR_SPECIALIZE_WAIT=1), `torture-race` (CELLAR_GC_TORTURE=1
alone) and, with -i, `interp-torture`. --repeat K runs the `jit` mode K times (the helper
thread makes its timing vary). Programs that cellar rejects as unsupported are counted, not
failed. Failing programs are kept in /tmp/closure_diff/ (--keep DIR) with a .txt of the
results; a failure that does not repeat on a second run is marked flaky.

--avoid FEATURE,... stops generating the patterns of known failures (reproducers in the
session's report): del-builtin (a global shadowing a builtin deleted), c-depth (exact
recursion depth with builtin calls or comparisons in the leaf: CPython counts those),
lazy-builtins (all/any/zip/enumerate/filter over a stateful map), callback-depth (functions
called back by map/sorted/... that call builtins such as abs: the JIT leaks depth),
spec-pending-depth (exact recursion depth while a specialised body is pending),
long-defaults (__defaults__ longer than the parameters), qualname-msg (errors after
__qualname__ is assigned), cell-compare (cells compared with ==), int-str-limit (str() of
an int of over 4300 digits). --only SECTION,... generates only those sections (e.g.
--only scopes,random_body).

Usage: python3 tests/fuzz/closure_diff.py target/release/cellar [--seed N] [--programs N] [-i]
           [--no-wait] [--torture-every K] [--repeat K] [--keep DIR] [--show N]
           [--avoid FEATURE,...] [--only SECTION,...]
       python3 tests/fuzz/closure_diff.py target/release/cellar --reduce FILE.py MODE
           (MODE: jit, wait, interp, torture, torture-race, interp-torture) shrinks a failing
           program (drops blocks and lines, unwraps compound statements) while it still
           fails the same way in MODE (stdout, exit, stderr, timeout, signal or panic), and
           writes FILE.min.py.
"""

import os
import random
import subprocess
import sys
import tempfile
import time

TIMEOUT = 20
# Calls of one closure: around the 1000th call (specialisation) and the asks after it.
HOT = [999, 1000, 1001, 1002, 1255, 1256, 1257, 1258, 1300, 1513, 2000, 2600]
# Calls of one closure that never reach specialisation.
COLD = [0, 1, 2, 3, 7, 20]
# Iterations on which something happens (an exception, a rebinding, a cell write).
EVENTS = [0, 1, 998, 999, 1000, 1001, 1002, 1255, 1256, 1257, 1258, 1500, 1511, 1512, 1513, 2222]
# Int constants at the edges of 48-bit small ints, and a few ordinary ones.
EDGE_INTS = ["0", "1", "-1", "3", "-7", "13", "1000003", "2**47 - 1", "-2**47", "2**47", "-2**47 - 1",
             "2**46 + 5", "2**47 - 700", "-2**47 + 450", "2**63", "-2**70", "10**15"]
MODS = ["1009", "-7", "97", "1000003", "-(2**47 + 5)", "2**48 + 7", "2**61 - 1", "-13", "3"]
# Bodies of one-argument callees over x (no exception on int or float x).
UNARY = ["x + 1", "x - 3", "x * 2", "x * -3", "x // 2", "x // -3", "x % 1009", "x % -7", "-x",
         "x * x % 1000003", "(x + 2**46) * 2", "x * 2**24", "x - 2**47", "x // 7 + x % 7",
         "x * 3 + 1 if x % 2 else x // 2", "abs(x) % 97", "x + 2**47 - 1", "(x - 5) * (x + 5) // 3",
         "x if x > 100 else -x", "x * 1000 // -999", "max(x, 7) - min(x, -7)"]
FLOAT_UNARY = ["x + 0.5", "x / 4", "x * 1.5", "x / -3", "x * 0.1 + 1", "(x + 0.25) // 2"]
EXCEPTIONS = [
    ("ValueError", 'raise ValueError("bad %d" % {v})'),
    ("KeyError", "raise KeyError({v})"),
    ("ZeroDivisionError", "return {v} // 0"),
    ("IndexError", "return [1, 2][{v}]"),
    ("TypeError", "return {v} + 'a'"),
    ("RuntimeError", "raise RuntimeError('call', {v})"),
    ("AssertionError", "assert {v} < 0, 'assert at %d' % {v}"),
    ("KeyError", "return {{'a': 1}}['k%d' % {v}]"),
]


def indent(lines, n=4):
    """`lines` indented by n spaces."""
    return [" " * n + ln if ln else ln for ln in lines]


class Gen:
    """Random program text, one section at a time; every name a section defines is unique."""

    def __init__(self, rng, introspect, avoid=(), only=()):
        self.rng = rng
        self.avoid = set(avoid)  # features not to generate (--avoid), e.g. while a bug is open
        self.only = list(only)  # generate only these sections (--only)
        self.introspect = introspect  # may use __closure__ / cell_contents (turns off frozen captures)
        self.k = 0

    def name(self, base):
        # A fresh name: base plus a counter.
        self.k += 1
        return f"{base}{self.k}"

    def calls(self, hot=0.6):
        # How many times a closure is called: mostly across the specialisation points.
        r = self.rng
        x = r.random()
        if x < hot:
            return r.choice(HOT)
        if x < hot + 0.25:
            return r.choice(COLD)
        return r.randint(1, 3100)

    def event(self, n):
        # An iteration on which something happens, usually inside range(n).
        r = self.rng
        if r.random() < 0.8:
            return r.choice(EVENTS)
        return r.randint(0, max(n, 1))

    def int_(self):
        # An int literal at the edges (see EDGE_INTS).
        return self.rng.choice(EDGE_INTS)

    def on(self, feature):
        # Is this feature (a pattern of a known failure, see --avoid) to be generated?
        return feature not in self.avoid

    def unary(self, floats=False, pure=False):
        # The body of a one-argument callee; `pure`: no builtin call and no comparison
        # (CPython counts those toward the recursion limit, see "c-depth").
        pool = UNARY + (FLOAT_UNARY if floats else [])
        if pure:
            pool = [b for b in pool if not any(w in b for w in ("abs", "max", "min", ">", "<"))]
        return self.rng.choice(pool)

    def callee(self, out, floats=False, pure=False):
        # An expression for a one-argument callee: a lambda, a def, a stateful closure, a
        # closure over a parameter, or a builtin; defs it needs are appended to `out`.
        r = self.rng.random()
        body = self.unary(floats, pure)
        if r < 0.45:
            return f"(lambda x: {body})"
        if r < 0.65:
            f = self.name("fn")
            out += [f"def {f}(x):", f"    return {body}"]
            return f
        if r < 0.8:
            f = self.name("mkstate")
            upd = self.rng.choice(["s = s + k", "s = (s + x) % 1009", "s += 1", "s = s * 3 % 1000003 + k"])
            out += [f"def {f}(k):", "    s = 0", "    def st(x):", "        nonlocal s", f"        {upd}",
                    f"        return {self.rng.choice(['x + s', 's - x', 'x * 2 + s % 7'])}", "    return st"]
            return f"{f}({self.rng.choice(['1', '-3', '2**47', '7'])})"
        if r < 0.9:
            f = self.name("mkmul")
            out += [f"def {f}(a, b):", f"    return lambda x: {self.rng.choice(['x * a + b', '(x + a) % b', 'x - a * b'])}"]
            return f"{f}({self.rng.choice(['3', '-2', '2**40'])}, {self.rng.choice(['7', '-11', '1009'])})"
        return f"(lambda x: {body})" if pure else "abs"

    def acc_update(self, call):
        # `acc = ...` folding a call's result into an accumulator (bounded or growing).
        m = self.rng.choice(MODS)
        return self.rng.choice([f"acc = (acc + {call}) % {m}", f"acc = acc + {call}", f"acc = acc * 3 - {call} // 2 if abs(acc) < 2**70 else acc // 1000 + {call}",
                                f"acc += {call}", f"acc = (acc * 31 + {call}) % {m}"])

    # ------------------------------------------------------------------ sections

    def g_counter(self):
        # Counters: one def, several closures with different start and step bumped n times
        # each; nonlocal int state crossing 2**47 when the start or step is large.
        mk = self.name("make_counter")
        upd = self.rng.choice(["n = n + step", "n += step", "n -= step", "n = (n * 3 + step) % 1000003",
                               "n = n * -2 + step if abs(n) < 2**60 else n // 3", "n = n + step * by",
                               "n = n // 2 + step if n % 5 == 0 else n + step"])
        k = self.rng.randint(1, 4)
        n = self.calls()
        pairs = ", ".join(f"({self.int_()}, {self.rng.choice(['1', '-1', '3', '-7', '2**40', '2**46 + 1', '-2**45'])})" for _ in range(k))
        ret = self.rng.choice(["n", "n % 1000", "n * 2", "-n"])
        lines = [f"def {mk}(start, step):", "    n = start", "    def bump(by=1):", "        nonlocal n",
                 f"        {upd}", f"        return {ret}", "    return bump",
                 "cs = []", f"for st, sp in [{pairs}]:", f"    cs.append({mk}(st, sp))", "acc = 0", "last = None"]
        if self.rng.random() < 0.5:
            lines += [f"for i in range({n}):", "    for c in cs:", "        last = c()", "        " + self.acc_update("last")]
        else:
            lines += ["for c in cs:", "    i = 0", f"    while i < {n}:", "        last = c(i % 3)", "        i += 1",
                      "        " + self.acc_update("last")]
        lines += [f"print('{mk}', acc, last, cs[0](), cs[-1](0))"]
        return lines, True

    def g_averager(self):
        # Averagers: nonlocal total and count (or a captured list), total / count mixing ints
        # and floats, // and % of negative totals.
        mk = self.name("make_averager")
        res = self.rng.choice(["total / count", "total // count", "total % count", "(total / count, total // count)",
                               "round(total / count, 3)", "divmod(total, count)"])
        val = self.rng.choice(["i", "i * 2**40", "-i", "i % 7 - 3", "i * 0.25", "2**47 - i", "(i * 7919) % 1009 - 500",
                               "-2**47 + i * 3", "i / 3", "10**20 - i"])
        n = self.calls()
        p = self.rng.choice([1, 7, 97, 500])
        if self.rng.random() < 0.6:
            init = self.rng.choice(["0", "0.0", "2**47", "-2**47 - 1"])
            lines = [f"def {mk}():", f"    total = {init}", "    count = 0", "    def add(v):", "        nonlocal total, count",
                     f"        total {self.rng.choice(['+=', '-='])} v" if self.rng.random() < 0.5 else "        total = total + v",
                     "        count += 1", f"        return {res}", "    return add"]
        else:
            lines = [f"def {mk}():", "    series = []", "    def add(v):", "        series.append(v)",
                     "        total = sum(series)", "        count = len(series)", f"        return {res}", "    return add"]
        lines += [f"avg = {mk}()", "out = []", "r = None", f"for i in range({n}):", f"    r = avg({val})",
                  f"    if i % {p} == 0:", "        out.append(r)", f"print('{mk}', r, len(out), out[-3:], avg(1))"]
        return lines, True

    def g_compose(self):
        # compose(f, g) chains of random callees, called n times; sometimes the same def
        # makes many chains with different captures, each called past specialisation.
        out = []
        comp = self.name("compose")
        form = self.rng.choice(["lambda", "def", "def2", "plus"])
        if form == "lambda":
            out += [f"def {comp}(f, g):", "    return lambda x: f(g(x))"]
        elif form == "def":
            out += [f"def {comp}(f, g):", "    def h(x):", "        return f(g(x))", "    return h"]
        elif form == "def2":
            out += [f"def {comp}(f, g):", "    def h(x):", "        y = g(x)", "        if y is None:", "            return 0",
                    "        return f(y)", "    return h"]
        else:
            out += [f"def {comp}(f, g):", "    return lambda x: f(g(x)) + 1"]
        floats = self.rng.random() < 0.2
        n = self.calls()
        if self.rng.random() < 0.7:
            fs = [self.callee(out, floats) for _ in range(self.rng.randint(2, 8))]
            out += [f"h = {fs[0]}"]
            for f in fs[1:]:
                out += [f"h = {comp}(h, {f})" if self.rng.random() < 0.6 else f"h = {comp}({f}, h)"]
            out += ["acc = 0", f"for i in range({n}):", "    " + self.acc_update("h(i)"),
                    f"print('{comp}', acc, h(5), h(-2**47))"]
        else:
            m = self.rng.choice([2, 5, 20, 70])
            reps = self.rng.choice([1001, 1100, 1300])
            if m * reps > 30000:
                m = 20
            out += ["acc = 0", f"for j in range({m}):",
                    f"    h = {comp}(lambda x, j=j: {self.rng.choice(['x + j', 'x * j % 97', 'x - j * 2**44'])}, {self.callee(out, floats)})",
                    f"    for i in range({reps}):", "        " + self.acc_update("h(i)"), f"print('{comp}', acc)"]
        return out, True

    def g_rebound(self):
        # A captured callee that IS rebound: by a nonlocal setter at iteration r, or by the
        # enclosing function itself between two loops; calls must see the new callee.
        out = []
        a, b = self.callee(out), self.callee(out)
        mk = self.name("make_rebound")
        n = self.calls()
        ev = self.event(n)
        if self.rng.random() < 0.6:
            out += [f"def {mk}(f):", "    def g(x):", f"        return {self.rng.choice(['f(x) + 1', 'f(f(x))', 'f(x) * 2 - x'])}",
                    "    def setf(h):", "        nonlocal f", "        f = h", "    return g, setf",
                    f"g, setf = {mk}({a})", "acc = 0", f"for i in range({n}):", f"    if i == {ev}:", f"        setf({b})",
                    "    " + self.acc_update("g(i)"), f"print('{mk}', acc, g(3))"]
        else:
            n2 = self.calls()
            out += [f"def {mk}(f, f2):", "    def g(x):", "        return f(x) - x", "    acc = 0", f"    for i in range({n}):",
                    "        " + self.acc_update("g(i)"), "    f = f2", f"    for i in range({n2}):",
                    "        " + self.acc_update("g(i)"), "    return acc, g",
                    f"acc, g = {mk}({a}, {b})", f"print('{mk}', acc, g(11))"]
        return out, True

    def g_raise_at(self):
        # A captured callee that raises only on call number `at` (or every `every` calls, or
        # for one argument), behind one to three wrapping closures; the caller's loop catches
        # (or not) and goes on.
        out = []
        exc, stmt = self.rng.choice(EXCEPTIONS)
        mk = self.name("make_picky")
        n = self.calls(hot=0.8)
        at = self.event(n)
        every = self.rng.choice([0, 0, 0, 7, 500, 1000])
        cond = self.rng.choice([f"calls == {at}", f"calls == {at} or ({every} and calls % {every} == 0)", f"x == {at}",
                                f"calls > {at} and calls < {at} + 3"])
        out += [f"def {mk}():", "    calls = 0", "    def picky(x):", "        nonlocal calls", "        calls += 1",
                f"        if {cond}:", "            " + stmt.format(v="calls"), "        return x + calls", "    return picky"]
        wrap = self.name("wrap")
        wform = self.rng.choice(["plain", "finally", "catch"])
        if wform == "plain":
            out += [f"def {wrap}(f):", "    def g(x):", f"        return {self.rng.choice(['f(x) * 2 + 1', 'f(x)', 'f(x + 1) - 1'])}", "    return g"]
        elif wform == "finally":
            out += ["fin = [0]", f"def {wrap}(f):", "    def g(x):", "        try:", "            return f(x) + 1", "        finally:",
                    "            fin[0] += 1", "    return g"]
        else:
            out += [f"def {wrap}(f):", "    def g(x):", "        try:", "            return f(x) + 1",
                    f"        except {self.rng.choice(['IndexError', 'KeyError', 'ArithmeticError', 'LookupError'])} as e:",
                    "            return -1", "    return g"]
        depth = self.rng.randint(1, 3)
        expr = f"{mk}()"
        for _ in range(depth):
            expr = f"{wrap}({expr})"
        catch = exc if self.rng.random() < 0.8 else self.rng.choice(["Exception", "ValueError", "LookupError", "ArithmeticError"])
        out += [f"g = {expr}", "acc = 0", "caught = 0", f"for i in range({n}):", "    try:", "        " + self.acc_update("g(i)"),
                f"    except {catch} as e:", "        caught += 1", "        if caught < 4:",
                "            print('caught', type(e).__name__, e, i)", "        acc -= 1000000",
                f"print('{mk}', acc, caught)"]
        return out, True

    def g_late_binding(self):
        # Lambdas made in loops: late binding of the loop variable vs `lambda i=i: i`, a
        # variable changed after the closures are made, nested loops, while loops.
        mk = self.name("make_fns")
        k = self.rng.randint(1, 6)
        n = self.calls(hot=0.3)
        bodies = [("lambda: i * 10", "lambda i=i: i * 10"), ("lambda x: x + i", "lambda x, i=i: x + i"),
                  ("lambda: (i, j)", "lambda j=j: (i, j)")]
        late, early = self.rng.choice(bodies)
        loop = self.rng.choice(["for", "nested", "while"])
        lines = [f"def {mk}(k):", "    fs = []"]
        if loop == "for":
            lines += ["    j = -1", "    for i in range(k):", f"        fs.append({late})", f"        fs.append({early})"]
        elif loop == "nested":
            lines += ["    for i in range(k):", "        for j in range(2):", f"            fs.append({late})",
                      f"            fs.append({early})"]
        else:
            lines += ["    i = 0", "    j = 5", "    while i < k:", f"        fs.append({late})", f"        fs.append({early})",
                      "        i += 1"]
        if self.rng.random() < 0.5:
            lines += ["    i = 100"]
        lines += ["    def later():", "        return i", "    fs.append(later)", "    return fs", f"fs = {mk}({k})", "res = []",
                  "for f in fs:", "    try:", "        res.append(f())", "    except TypeError:", "        res.append(f(1))",
                  f"print('{mk}', res)", "acc = 0", f"for i in range({n}):", "    f = fs[i % len(fs)]", "    try:",
                  "        v = f()", "    except TypeError:", "        v = f(i)",
                  "    acc = acc + (v[0] + v[1] if type(v) == tuple else v)", f"print('{mk}', acc)"]
        return lines, True

    def g_unbound(self):
        # Free and local variables read while unbound: a closure called before its variable
        # is assigned, after `del` (in the owner or via nonlocal), after an `except ... as`
        # unbinds it; UnboundLocalError in a closure that forgot `nonlocal` or assigns on
        # one branch only; often after many good calls.
        n = self.calls(hot=0.5)
        ev = self.event(n)
        ev2 = self.event(n)
        f = self.name("unb")
        kind = self.rng.randint(0, 6)
        if kind == 0:
            lines = [f"def {f}(n):", "    def inner():", "        return x + 1", "    r = []", "    for i in range(n):",
                     f"        if i > {ev}:", "            r.append(inner())", f"        if i == {ev2}:", "            x = i",
                     "    return len(r), r[-1:]"]
        elif kind == 1:
            lines = [f"def {f}(n):", "    x = 0", "    get = lambda: x", "    t = 0", "    for i in range(n):",
                     "        t = t + get()", f"        if i == {ev}:", "            del x", "        else:", "            x = i",
                     "    return t, get()"]
        elif kind == 2:
            lines = [f"def {f}(n):", "    v = 5", "    def drop():", "        nonlocal v", "        del v",
                     "    def reader():", "        return v * 2", "    def put(a):", "        nonlocal v", "        v = a", "    t = 0",
                     "    for i in range(n):", "        t = t + reader()", f"        if i == {ev}:", "            drop()",
                     f"        if i == {ev2}:", "            put(i)", "    return t"]
        elif kind == 3:
            lines = [f"def {f}(n):", "    c = 0", "    def inc():", "        c = c + 1", "        return c", "    t = 0",
                     f"    for i in range(n):", "        t += inc()", "    return t"]
        elif kind == 4:
            lines = [f"def {f}(n):", "    def g(x):", f"        if x % {self.rng.choice([1, 2, 7, 1000, 3000])} == 0:", "            y = x",
                     "        return y", "    t = 0", "    bad = 0", "    for i in range(n):", "        try:", "            t += g(i)",
                     "        except UnboundLocalError as e:", "            bad += 1", "            last = str(e)",
                     "    return t, bad, g(0)"]
        elif kind == 5:
            lines = [f"def {f}(n):", "    e = 1", "    get = lambda: e", "    t = 0", "    for i in range(n):", "        t = t + get()",
                     f"        if i == {ev}:", "            try:", "                1 // 0", "            except ZeroDivisionError as e:",
                     "                t = t + 1000", "    return t"]
        else:
            lines = [f"def {f}(n):", "    def outer2():", "        def mid():", "            def inner():", "                return z",
                     "            return inner", "        f = mid()", "        t = 0", "        for i in range(n):",
                     f"            if i == {ev}:", "                z = i", "            if i >= {0}:".format(ev2), "                t = t + f()",
                     "        return t", "    return outer2()"]
        lines += ["try:", f"    print('{f}', {f}({n}))", "except (NameError, UnboundLocalError) as e:",
                  f"    print('{f}', type(e).__name__, e)"]
        return lines, True

    def g_global_unbound(self):
        # Module globals read before they exist and after `del`, through closures.
        g = self.name("gvar")
        n = self.calls(hot=0.4)
        ev = self.event(n)
        lines = [f"def reader_{g}():", f"    return (lambda: {g} + 1)()", "try:", f"    print(reader_{g}())",
                 "except NameError as e:", "    print(type(e).__name__, e)", f"{g} = 1", "acc = 0", f"for i in range({n}):",
                 f"    acc = acc + reader_{g}()", f"    if i == {ev}:", f"        del {g}", "        try:",
                 f"            reader_{g}()", "        except NameError as e:", "            print('gone', e)", f"        {g} = 2",
                 f"print(acc, {g})"]
        if self.rng.random() < 0.3:
            lines += [f"del {g}", "try:", f"    del {g}", "except NameError as e:", "    print(e)"]
        return lines, False

    def g_cells(self):
        # Cells written and emptied through __closure__ / cell_contents, before and after
        # specialisation, including a captured callee's cell in a compose chain.
        out = []
        a, b = self.callee(out), self.callee(out)
        mk = self.name("make_cells")
        n = self.calls(hot=0.8)
        ev = self.event(n)
        idx = self.rng.choice(["0", "-1", "1"])
        newv = self.rng.choice([b, "7", "2**47", "-1.5", "None"])
        out += [f"def {mk}(f, a):", "    def g(x):", "        return f(x) + a", "    return g", f"g = {mk}({a}, {self.int_()})",
                "print(g.__code__.co_freevars, len(g.__closure__))", "acc = 0", "errs = 0", f"for i in range({n}):",
                f"    if i == {ev}:"]
        if self.rng.random() < 0.75:
            out += [f"        g.__closure__[{idx}].cell_contents = {newv}"]
        else:
            out += [f"        del g.__closure__[{idx}].cell_contents"]
        if self.on("cell-compare"):
            out += ["    if i == 7:", "        print(g.__closure__[0] == g.__closure__[-1], g.__closure__[0] != g.__closure__[0])"]
        out += ["    try:", "        " + self.acc_update("g(i)"), "    except (NameError, TypeError) as e:", "        errs += 1",
                "        if errs < 3:", "            print(type(e).__name__, e)", f"print('{mk}', acc, errs)", "try:",
                "    print(type(g.__closure__[0].cell_contents).__name__, type(g.__closure__[-1].cell_contents).__name__)",
                "except ValueError as e:", "    print('ValueError', e)"]
        if self.rng.random() < 0.5:
            c = self.name("count")
            out += [f"def {c}():", "    n = 0", "    def bump():", "        nonlocal n", "        n += 1", "        return n",
                    "    return bump", f"b = {c}()", f"for i in range({self.calls()}):", "    b()",
                    "print(b.__closure__[0].cell_contents)", f"b.__closure__[0].cell_contents = {self.int_()}",
                    "print(b(), b.__closure__[0].cell_contents)"]
        return out, True

    def g_recursion(self):
        # Recursion through closures: a recursive inner def, mutual recursion, a Z combinator,
        # memoised fib; runaway recursion caught (RecursionError), sometimes from inside a
        # chain called past specialisation; rarely the exact deepest depth.
        kind = self.rng.randint(0, 5)
        f = self.name("rec")
        d = self.rng.choice([0, 1, 10, 50, 120, 200])
        if kind == 0:
            lines = [f"def {f}():", "    def fact(n):", "        return 1 if n <= 1 else n * fact(n - 1)", "    return fact",
                     f"print('{f}', {f}()({d}), {f}()({d // 3}) % 1000003)"]
        elif kind == 1:
            lines = [f"def {f}(base):", "    def ev(n):", "        return base if n == 0 else od(n - 1)", "    def od(n):",
                     "        return not base if n == 0 else ev(n - 1)", "    return ev, od", f"ev, od = {f}(True)",
                     f"print('{f}', ev({d}), od({d}), ev({d * 2 + 1}))"]
        elif kind == 2:
            d = min(d, 100)
            lines = ["Z = lambda f: (lambda x: f(lambda v: x(x)(v)))(lambda x: f(lambda v: x(x)(v)))",
                     "fact = Z(lambda self: lambda n: 1 if n == 0 else n * self(n - 1))",
                     "fib = Z(lambda self: lambda n: n if n < 2 else self(n - 1) + self(n - 2))",
                     f"print('{f}', fact({d}), fib({min(d, 15)}))"]
        elif kind == 3:
            lines = [f"def {f}():", "    memo = {}", "    def fib(n):", "        if n in memo:", "            return memo[n]",
                     "        r = n if n < 2 else fib(n - 1) + fib(n - 2)", "        memo[n] = r", "        return r", "    return fib",
                     f"fib = {f}()", f"print('{f}', fib({d}), fib({d * 2}))"]
        elif kind == 4:
            n = self.calls(hot=0.8)
            lines = [f"def {f}(step):", "    def down(x):", "        if x <= 0:", "            return 0",
                     "        return step(down(x - 1))", "    return down", f"dn = {f}(lambda v: v + 1)", "acc = 0",
                     f"for i in range({n}):", "    acc = acc + dn(i % 20)", "try:", "    print(dn(100000))",
                     "except RecursionError as e:", f"    print('{f}', acc, type(e).__name__, e)"]
        else:
            lines = [f"def {f}():", "    def down(n):", f"        return down(n + 1) {self.rng.choice(['+ 1', ''])}", "    return down",
                     "try:", f"    {f}()(0)", "except RecursionError as e:", f"    print('{f}', e)"]
        if self.rng.random() < 0.12:
            # The deepest recursion that succeeds must be CPython's.
            p = self.name("probe")
            lines += [f"def {p}(n):", "    def leaf():", "        return n", "    def rec(k):", "        if k == 0:",
                      "            return leaf()", "        return rec(k - 1)", "    return rec(n)", "lo = 900",
                      "while True:", "    try:", f"        {p}(lo)", "    except RecursionError as e:",
                      f"        print('{p}', lo, e)", "        break", "    lo += 1"]
        return lines, True

    def g_gc(self):
        # Many short-lived closures made in a loop over fresh lists and dicts; every k-th
        # kept; a chain of closures each capturing the previous one.
        n = self.calls(hot=0.3)
        n = min(n, self.rng.choice([100, 3000, 20000]))
        k = self.rng.choice([1, 3, 50, 997])
        chain = self.rng.choice([0, 5, 60, 150])
        mk = self.name("mk_adder")
        lines = [f"def {mk}(a, data):", "    def add(b):", "        return a + b + data[0] + len(data)", "    return add",
                 "keep = []", "total = 0", f"for i in range({n}):", "    data = [i, str(i), {'k': i}]",
                 f"    f = {mk}(i, data)", "    g = (lambda a: lambda b: a * b + len(data))(i % 13)",
                 "    h = lambda y, d=data: d[0] - y", "    total = total + f(1) + g(2) + h(i)", f"    if i % {k} == 0:",
                 "        keep.append(f)", "    if len(keep) > 40:", "        keep = keep[20:]", "prev = lambda x: x",
                 f"for i in range({chain}):", "    prev = (lambda p, k: lambda x: p(x) + k)(prev, i)",
                 f"print('{mk}', total, len(keep), keep[-1](5) if keep else None, prev(0))"]
        return lines, True

    def g_decorator(self):
        # Decorators: call counting (nonlocal), memoisation (a captured dict), decorators
        # with arguments, exception-catching wrappers, stacked, called n times.
        cnt, memo, add, safe = self.name("counted"), self.name("memo"), self.name("add"), self.name("safe")
        sig, call = ("w(x)", "fn(x)") if self.rng.random() < 0.6 else ("w(*args)", "fn(*args)")
        deco_defs = [f"def {cnt}(fn):", "    calls = 0", f"    def {sig}:", "        nonlocal calls", "        calls += 1",
                     f"        return {call}", "    def count():", "        return calls", "    w.count = count", "    return w"]
        deco_defs += [f"def {memo}(fn):", "    cache = {}", "    def w(n):", "        if n not in cache:",
                      "            cache[n] = fn(n)", "        return cache[n]", "    return w",
                      f"def {add}(k):", "    def deco(fn):", "        def w(x):", "            return fn(x) + k", "        return w",
                      "    return deco",
                      f"def {safe}(default):", "    def deco(fn):", "        def w(x):", "            try:", "                return fn(x)",
                      "            except ZeroDivisionError:", "                return default", "        return w", "    return deco"]
        stack = [f"@{cnt}"] + [self.rng.choice([f"@{memo}", f"@{add}({self.int_()})", f"@{safe}(-1)"])
                               for _ in range(self.rng.randint(0, 3))]
        self.rng.shuffle(stack)
        if f"@{cnt}" != stack[0]:
            stack.remove(f"@{cnt}")
            stack.insert(0, f"@{cnt}")
        t = self.name("target")
        body = self.rng.choice(["x * 2 + 1", "100 // (x % 7)", "x * x - 2**47", "x // -3"])
        n = self.calls()
        lines = deco_defs + stack + [f"def {t}(x):", f"    return {body}", "acc = 0", "errs = 0", f"for i in range({n}):",
                                     "    try:", "        " + self.acc_update(f"{t}(i % 50)"), "    except ZeroDivisionError:",
                                     "        errs += 1", f"print('{t}', acc, errs, {t}.count())"]
        return lines, True

    def g_dispatch(self):
        # Closures kept in a dict and a list, called through them; an entry replaced at
        # iteration ev; a registry filled by a decorator; shared nonlocal state.
        reg = self.name("registry")
        n = self.calls()
        ev = self.event(n)
        lines = [f"{reg} = {{}}", f"def reg_{reg}(name):", "    def deco(fn):", f"        {reg}[name] = fn", "        return fn",
                 "    return deco", f"def state_{reg}():", "    hits = 0", "    def hit(a, b):", "        nonlocal hits",
                 "        hits += 1", "        return a + b + hits % 3", "    return hit", f"@reg_{reg}('mul')",
                 "def _(a, b):", f"    return a * b % {self.rng.choice(MODS)}", f"@reg_{reg}('sub')", "def _(a, b):",
                 "    return a - b", f"{reg}['hit'] = state_{reg}()", f"{reg}['lam'] = lambda a, b: (a + 1) // -3 + b",
                 f"names = list({reg})", "table = [lambda a, b: a, lambda a, b: b * 2]", "acc = 1", f"for i in range({n}):",
                 "    k = names[i % len(names)]", f"    acc = {reg}[k](acc, i)", "    acc = table[i % 2](acc, i) + acc",
                 "    if abs(acc) > 2**64:", "        acc = acc % 1000003", f"    if i == {ev}:",
                 f"        {reg}['mul'] = lambda a, b: a + b * 2**46", "        table[0] = table[1]", f"print('{reg}', acc)"]
        return lines, True

    def g_global_rebind(self):
        # Module functions and globals rebound while closures that call them run: at
        # module level, through `global` in a function, a builtin shadowed then deleted.
        gf = self.name("gfun")
        n = self.calls()
        ev = self.event(n)
        ev2 = self.event(n)
        shadow = self.rng.random() < 0.3 and self.on("del-builtin")
        lines = [f"def {gf}(x):", f"    return {self.unary()}", f"def set_{gf}(h):", f"    global {gf}", f"    {gf} = h",
                 f"cnt_{gf} = 0", f"def tick_{gf}():", f"    global cnt_{gf}", f"    cnt_{gf} += 1", f"    return cnt_{gf}",
                 f"mk_{gf} = lambda: (lambda x: {gf}(x) * 2 + tick_{gf}() % 5)", f"c = mk_{gf}()", "acc = 0",
                 f"for i in range({n}):", f"    if i == {ev}:", f"        {gf} = lambda x: x - 1", f"    if i == {ev2}:",
                 f"        set_{gf}(lambda x: x * 3)", "    " + self.acc_update("c(i)")]
        if shadow:
            lines += ["    if i == 5:", "        abs = lambda v: -7"]
        lines += [f"print('{gf}', acc, cnt_{gf}, c(1))"]
        if shadow:
            lines += ["try:", "    del abs", "except NameError as e:", "    print(e)", "print(abs(-3))"]
        return lines, False

    def g_bigarith(self):
        # Nonlocal accumulators whose values cross 2**47 and come back: growth by
        # multiplication, % and // with negative operands, int/float mixing.
        mk = self.name("make_acc")
        upd = self.rng.choice([
            "acc = acc + i * 2**40", "acc = acc - i * (2**44 + 3)", f"acc = (acc * 31 + i) % {self.rng.choice(MODS)}",
            f"acc = (acc * 7 - i) % {self.rng.choice(MODS)}", "acc = acc * 1000 // 999 + i",
            "acc = (acc * -3) // 2 + i if abs(acc) < 2**90 else acc // -2**45", "acc = acc + i / 7",
            "acc = acc // -2 + 2**47 - i", "acc = -acc + i * 2**46", "acc = acc * acc % (2**61 - 1) + i",
            "acc = acc % (i + 1) * 2**47 - acc // (i - 2**47)", "acc = divmod(acc, -97)[0] + i * 2**41"])
        seed = self.int_()
        n = self.calls()
        p = self.rng.choice([1, 97, 333, 1000])
        lines = [f"def {mk}(seed):", "    acc = seed", "    def step(i):", "        nonlocal acc", f"        {upd}",
                 "        return acc", "    return step", f"st = {mk}({seed})", "out = []", "v = None", f"for i in range({n}):",
                 "    v = st(i)", f"    if i % {p} == 0:", "        out.append(v)",
                 f"print('{mk}', v, out[-4:], v % 1000 if v is not None else 0, v // -7 if v is not None else 0)"]
        if self.rng.random() < 0.1 and self.on("int-str-limit"):
            # CPython 3.11 refuses int <-> str conversions of more than 4300 digits.
            lines += ["try:", "    print(len(str((abs(v) + 10) * 10**4299)))", "except (ValueError, TypeError) as e:",
                      "    print(type(e).__name__, e)"]
        return lines, True

    def g_many_spec(self):
        # Many closures of one def, each called past specialisation: more than the 64
        # closures that get a body of their own.
        mk = self.name("make_many")
        m = self.rng.choice([10, 30, 70])
        r = self.rng.choice([1001, 1050, 1257])
        lines = [f"def {mk}(f, k):", "    def g(x):", f"        return {self.rng.choice(['f(x) + k', 'f(x + k)', 'f(f(x)) - k'])}",
                 "    return g", "acc = 0", "gs = []", f"for j in range({m}):",
                 f"    g = {mk}(lambda x, j=j: {self.rng.choice(['x * j % 97', 'x + j', 'x - j * 2**45'])}, j)", "    gs.append(g)",
                 f"    for i in range({r}):", "        acc = (acc + g(i)) % 1000003", "for g in gs:", "    acc = acc + g(1)",
                 f"print('{mk}', acc)"]
        return lines, True

    def g_defaults(self):
        # Default arguments captured at def time, mutable defaults, __defaults__ rebound
        # after many calls, keyword calls.
        mk = self.name("make_def")
        n = self.calls()
        ev = self.event(n)
        lines = [f"def {mk}(base):", "    def f(x, k=base, m=2):", "        return x * m + k", "    return f",
                 f"f = {mk}({self.int_()})", "acc = 0", f"for i in range({n}):", f"    if i == {ev}:",
                 f"        f.__defaults__ = {self.rng.choice(['(7, 3)', '(2**47,)', '(-1, -1)'])}", "    try:",
                 "        acc = acc + f(i) + f(i, 1) + f(i, m=0)", "    except TypeError as e:", "        print('TypeError', e)",
                 "        break", f"print('{mk}', acc, f.__defaults__)",
                 f"def app_{mk}(v, acc=[]):", "    acc.append(v)", "    return len(acc)", "for i in range(5):",
                 f"    app_{mk}(i)", f"print(app_{mk}(0), app_{mk}(1, []))"]
        return lines, True

    def g_finally(self):
        # try/except/finally inside closures with nonlocal state: raise on some calls,
        # break and continue through finally, return from finally.
        mk = self.name("make_fin")
        n = self.calls()
        k = self.rng.choice([1, 3, 7, 1000])
        lines = [f"def {mk}():", "    cnt = 0", "    errs = 0", "    def f(x):", "        nonlocal cnt, errs", "        try:",
                 f"            if x % {k} == 0:", "                raise ValueError(x)", "            return x",
                 "        except ValueError:", "            errs += 1", "            return -1", "        finally:",
                 "            cnt += 1", "    def stats():", "        return cnt, errs", "    return f, stats",
                 f"f, stats = {mk}()", "acc = 0", f"for i in range({n}):", "    try:", "        if i % 5 == 4:",
                 "            continue", "        acc = acc + f(i)", "        if i > 3000:", "            break", "    finally:",
                 "        acc = acc + 1", f"print('{mk}', acc, stats())"]
        if self.rng.random() < 0.3:
            lines += [f"def rf_{mk}(x):", "    try:", "        return x // 0", "    finally:", "        return -x",
                      f"print(rf_{mk}(3))"]
        return lines, True


    def rand_expr(self, names, depth):
        # A random int expression over `names` and edge constants (no zero divisor).
        r = self.rng
        if depth <= 0 or r.random() < 0.25:
            return r.choice(names + [self.int_(), str(r.randint(-9, 9))])
        op = r.choice(["+", "-", "*", "//", "%"])
        rhs = r.choice(["3", "-7", "1009", "2**47", "-(2**46 + 1)"]) if op in ("//", "%") else self.rand_expr(names, depth - 1)
        return f"({self.rand_expr(names, depth - 1)} {op} {rhs})"

    def g_callee_kinds(self):
        # Captured callees of every shape a specialised body must call correctly: defaults,
        # *args, keyword-only, **kwargs, a wrong arity or a non-callable reached only on
        # call N, __defaults__ of the captured callee changed after specialisation, a
        # random arithmetic body with a captured constant, a bound method.
        mk = self.name("make_call")
        n = self.calls(hot=0.8)
        ev = self.event(n)
        kinds = ["lambda x, y=3: x + y", "lambda *a: len(a) + a[0]", "lambda x, *, k=2: x * k", "lambda x, **kw: x - len(kw)",
                 "lambda x, y=1, *rest: x * y + len(rest)", f"lambda x, c={self.int_()}: {self.rand_expr(['x', 'c'], 3)}"]
        f = self.rng.choice(kinds)
        call = self.rng.choice(["f(x)", "f(x) + f(x + 1)", "f(*[x])", "f(x) if x != EV else f(x, 1, 2)",
                                "f(x) if x != EV else f()", "f(x) if x != EV else [5][0](x)"]).replace("EV", str(ev))
        lines = [f"def {mk}(f):", "    def g(x):", f"        return {call}", "    return g", f"f = {f}", f"g = {mk}(f)", "acc = 0",
                 "errs = 0", f"for i in range({n}):", f"    if i == {self.event(n)}:",
                 f"        f.__defaults__ = {self.rng.choice(['(100,)', '(7, 8)' if self.on('long-defaults') else '(8,)', 'None', '(2**47,)'])}",
                 "    try:",
                 "        " + self.acc_update("g(i)"), "    except TypeError as e:", "        errs += 1", "        if errs < 3:",
                 "            print('TypeError', e, i)", f"print('{mk}', acc, errs)"]
        if self.rng.random() < 0.3:
            ap = self.name("mkap")
            lines += ["xs = []", f"def {ap}(f):", "    return lambda x: f(x)", f"ap = {ap}(xs.append)", f"for i in range({self.calls()}):",
                      "    ap(i)", "print(len(xs), xs[-2:])"]
        return lines, True

    def g_dag(self):
        # Chains that share subchains (h = compose(h, h)), a fixed point through a frozen
        # parameter, a closure applied to itself: deep and repeated inlining.
        comp = self.name("dagc")
        n = self.calls(hot=0.7)
        m = self.rng.randint(1, 7)
        out = [f"def {comp}(f, g):", "    return lambda x: f(g(x))"]
        # Each level is reduced mod 1000003: a squaring callee applied 2**m times over.
        base = f"{comp}((lambda x: x % 1000003), {self.callee(out)})"
        out += [f"h = {base}", f"for k in range({m}):", f"    h = {comp}(h, {self.rng.choice(['h', base, '(lambda x: x % 1009)'])})",
                "acc = 0", f"for i in range({n}):", "    " + self.acc_update("h(i % 50)"), f"print('{comp}', acc)"]
        fix = self.name("fix")
        out += [f"def {fix}(f):", "    def g(x):", "        return f(g, x)", "    return g",
                f"fact = {fix}(lambda self, n: 1 if n <= 1 else n * self(n - 1))",
                f"fib = {fix}(lambda self, n: n if n < 2 else self(n - 1) + self(n - 2))", "acc = 0",
                f"for i in range({n}):", "    acc = (acc + fact(i % 30) + fib(i % 12)) % 1000003", f"print('{fix}', acc)"]
        return out, True

    def g_factory(self):
        # Closures made inside a closure called past specialisation (capturing its frozen
        # capture and its argument), kept and called later; a counter factory whose
        # counters share nothing.
        mk = self.name("factory")
        n = self.calls(hot=0.7)
        out = []
        f = self.callee(out)
        out += [f"def {mk}(f, k):", "    def make(x):", "        y = x * k", "        def inner(z):", "            return f(y + z) - x",
                "        return inner", "    return make", f"make = {mk}({f}, {self.int_()})", "keep = []", "acc = 0",
                f"for i in range({n}):", "    c = make(i)", "    acc = (acc + c(1)) % 1000003", f"    if i % {self.rng.choice([1, 10, 333])} == 0:",
                "        keep.append(c)", "for c in keep[-5:]:", "    acc = acc + c(2)", f"print('{mk}', acc, len(keep))"]
        return out, True

    def g_exc_paths(self):
        # Exceptions crossing several closure levels with finally blocks logging the order,
        # re-raised bare or as another type from an except block, caught by a base class;
        # the loop goes on.
        mk = self.name("exc_paths")
        n = self.calls(hot=0.8)
        at = self.event(n)
        every = self.rng.choice([0, 97, 1000])
        exc, stmt = self.rng.choice(EXCEPTIONS)
        handler = self.rng.choice([["raise"], ["raise ValueError('wrapped')"], ["return -1"], ["log.append('h')", "raise"]])
        out = []
        cal = self.callee(out)
        lines = out + [f"def {mk}(f):", "    log = []", "    calls = 0", "    def leaf(x):", "        nonlocal calls", "        calls += 1",
                 f"        if calls == {at} or ({every} and calls % {every} == 0):", "            " + stmt.format(v="calls"),
                 "        return f(x)", "    def mid(x):", "        try:", "            return leaf(x) + 1", f"        except {exc}:"] + indent(handler, 12) + ["        finally:", "            if len(log) < 20:", "                log.append('m')",
                 "    def top(x):", "        try:", "            return mid(x) * 2", "        finally:", "            if len(log) < 20:",
                 "                log.append('t')", "    return top, log"]
        lines += [f"top, log = {mk}({cal})", "acc = 0", "errs = []", f"for i in range({n}):", "    try:",
                               "        acc = acc + top(i)", "    except Exception as e:",
                               "        if len(errs) < 5:", "            errs.append((type(e).__name__, str(e), i))",
                               "        continue", f"print('{mk}', acc, errs, log[-6:])"]
        return lines, True

    def g_kwcalls(self):
        # Specialisable closures called with keyword arguments and defaults (the call made
        # again at specialisation passes them positionally).
        mk = self.name("kwc")
        n = self.calls(hot=0.8)
        out = []
        f = self.callee(out)
        out += [f"def {mk}(f):", "    def g(x, k=2, m=-1):", "        return f(x) * k + m", "    return g", f"g = {mk}({f})", "acc = 0",
                f"for i in range({n}):", "    " + self.acc_update(self.rng.choice(["g(x=i)", "g(i, m=i)", "g(i, 3)", "g(m=1, x=i, k=0)", "g(*[i], **{'k': 5})"])),
                f"print('{mk}', acc, g(1), g(1, m=0))"]
        return out, True

    def g_random_body(self):
        # A closure with a random body (int and float arithmetic trees, branches, small
        # loops, a captured list, try/except) over its argument, nonlocal state, a frozen
        # constant and two frozen callees, called n times: random code in specialised
        # bodies, with the callees inlined.
        mk = self.name("rbody")
        n = self.calls(hot=0.7)
        floats = self.rng.random() < 0.3
        out = []
        f1, f2 = self.callee(out, floats), self.callee(out, floats)
        names = ["x", "state", "k", "t0", "t1", "t2"]

        def e(d):
            r = self.rng.random()
            if d <= 0:
                return self.rng.choice(names)
            if r < 0.12:
                return f"{self.rng.choice(['f', 'g'])}({e(d - 1)})"
            if r < 0.17:
                return f"(buf[-1] if buf else {self.int_()})"
            if r < 0.2 and floats:
                return self.rng.choice(["0.5", "-2.25", "(x / 3)", "1e300", "(state / 7)"])
            return self.rand_expr(names, min(d, 2)) if d <= 1 or r < 0.5 else f"({e(d - 1)} {self.rng.choice(['+', '-', '*'])} {e(d - 1)})"

        def stmts(depth, count):
            out = []
            for _ in range(count):
                r = self.rng.random()
                t = self.rng.choice(["t0", "t1", "t2"])
                if r < 0.3:
                    out += [f"{t} = {e(2)}"]
                elif r < 0.45:
                    out += [self.rng.choice([f"state = ({e(2)}) % {self.rng.choice(MODS)}", f"state += {e(1)}", f"state = {e(2)}"])]
                elif r < 0.55:
                    out += [f"buf.append(({e(1)}) % {self.rng.choice(MODS)})", "if len(buf) > 8:", "    buf.pop(0)"]
                elif r < 0.7 and depth < 2:
                    out += [f"if {e(1)} {self.rng.choice(['>', '<', '==', '!='])} {e(1)}:"] + indent(stmts(depth + 1, 2))
                    if self.rng.random() < 0.5:
                        out += ["else:"] + indent(stmts(depth + 1, 1))
                elif r < 0.8 and depth < 2:
                    out += [f"for j in range({self.rng.choice([1, 2, 3])}):"] + indent([f"{t} = {t} + j * {e(1)}"] + stmts(depth + 1, 1))
                elif r < 0.9:
                    out += ["try:", f"    {t} = {e(1)} // ({e(1)} % {self.rng.choice(['3', '5', '2'])})",
                            "except ZeroDivisionError:", f"    {t} = -1"]
                else:
                    out += ["if abs(state) > 2**100:", "    state = state % 1000003", "if abs(t0) > 2**100:", "    t0 = 7"]
            return out

        body = ["nonlocal state", "t0 = t1 = t2 = 0"] + stmts(0, self.rng.randint(3, 8)) + [
            "if abs(state) > 2**200:", "    state = state % (2**130 + 1)", f"return {e(2)}"]
        out += [f"def {mk}(f, g, k):", f"    state = {self.int_()}", "    buf = []", "    def step(x):"] + indent(body, 8) + [
            "    return step", f"st = {mk}({f1}, {f2}, {self.int_()})", "acc = 0", "errs = 0", "last = None",
            f"for i in range({n}):", "    try:", "        last = st(i)", "    except (OverflowError, ZeroDivisionError, TypeError) as ex:",
            "        errs += 1", "        if errs < 3:", "            print(type(ex).__name__, ex, i)", "        continue",
            "    acc = (acc + last) % 1000003 if type(last) == int else acc + 1",
            "    if abs(acc) > 2**100:", "        acc = acc // 2**90", f"print('{mk}', acc, errs, last % 1000003 if type(last) == int else repr(last))"]
        return out, True

    def g_func_attrs(self):
        # A captured callee's __name__, __qualname__ and __defaults__ changed while the
        # closure that calls it runs past specialisation; arity errors name it.
        mk = self.name("attrs")
        n = self.calls(hot=0.8)
        ev, ev2 = self.event(n), self.event(n)
        rename = [f"        f.__qualname__ = 'Q{ev}.r'"] if self.on("qualname-msg") else []
        lines = [f"def {mk}(k):", "    def f(x, y=k):", "        return x + y", "    return f", f"def wrap_{mk}(f):",
                 "    return lambda x: f(x) * 2", f"f = {mk}({self.int_()})", f"g = wrap_{mk}(f)", "acc = 0", "errs = 0",
                 f"for i in range({n}):", f"    if i == {ev}:", "        f.__name__ = 'r'"] + rename + [
                 f"    if i == {ev2}:", f"        f.__defaults__ = {self.rng.choice(['None', '()', '(1,)'])}", "    try:",
                 "        " + self.acc_update("g(i)"), "    except TypeError as e:", "        errs += 1", "        if errs < 3:",
                 "            print(e)", f"print('{mk}', acc, errs, f.__name__, f.__qualname__, f.__defaults__, g.__qualname__)"]
        return lines, True

    def g_inline_exc(self):
        # try/except/else/finally inside a specialisable closure around calls of its frozen
        # callees (inlined into its body), in a loop, nested, with continue and raise from
        # finally: an inlined callee's exception must reach the right handler.
        mk = self.name("inl")
        n = self.calls(hot=0.8)
        e1, s1 = self.rng.choice(EXCEPTIONS)
        e2, s2 = self.rng.choice(EXCEPTIONS)
        k1, k2 = self.rng.choice([3, 7, 11, 500]), self.rng.choice([2, 5, 13, 1000])
        catch1 = self.rng.choice([e1, e2, "Exception", "(ValueError, KeyError)", "LookupError"])
        fin = self.rng.choice(["t = t * 2", "t = t + 1", "if x % 9 == 0:\n    raise IndexError('fin %d' % x)"]).split("\n")
        lines = [f"def leaf_{mk}(x):", f"    if x % {k1} == 0:", "        " + s1.format(v="x"), f"    if x % {k2} == 1:",
                 "        " + s2.format(v="x"), "    return x",
                 f"def {mk}(f, g):", "    def h(x):", "        t = 0", f"        for j in range({self.rng.choice([1, 2, 3])}):", "            try:",
                 "                t = t + f(x + j)", f"            except {catch1}:", "                try:", "                    t = t + g(x)",
                 "                except ZeroDivisionError:", "                    t = t - 7", "                    continue",
                 "            else:", "                t = t + 2", "            finally:"] + indent(fin, 16) + [
                 "        return t", "    return h", f"h = {mk}(leaf_{mk}, lambda x: 100 // (x % 3))", "acc = 0", "errs = []",
                 f"for i in range({n}):", "    try:", "        acc = (acc + h(i)) % 1000003", "    except Exception as e:",
                 "        if len(errs) < 4:", "            errs.append((type(e).__name__, str(e), i))", f"print('{mk}', acc, errs)"]
        return lines, True

    def g_scopes(self):
        # Random nests of functions over the variables a b c d: parameters, nonlocal and
        # global declarations, assignments, augmented assignments, del, loops and inner
        # closures (some stored and called many times later); every statement that may read
        # an unbound name is wrapped so the error's message is counted. It exercises the
        # scope analysis (cells, free variables, frozen captures, always-bound cells).
        sg = ScopeGen(self)
        return sg.section(), False

    def g_builtin_calls(self):
        # Closures called by builtins (map, filter, sorted, min, max, any, all): their
        # calls cross specialisation inside the runtime, and exceptions raised there
        # propagate through it.
        out = []
        comp = self.name("bcomp")
        out += [f"def {comp}(f, g):", "    def h(x):", "        return f(g(x))", "    return h"]
        pure = not self.on("callback-depth")
        h = f"{comp}({self.callee(out, pure=pure)}, {self.callee(out, pure=pure)})"
        n = self.calls(hot=0.7)
        at = self.event(n)
        picky = self.name("bpicky")
        out += [f"def {picky}(f):", "    calls = 0", "    def p(x):", "        nonlocal calls", "        calls += 1",
                f"        if calls == {at}:", "            raise ValueError('at %d' % calls)", "        return f(x)", "    return p",
                f"h = {h}", f"xs = list(range({n}))"]
        uses = ["sum(map(h, xs))", "len(list(filter(lambda v: h(v) % 3 == 0, xs)))", "sorted(xs, key=h)[:3]",
                "max(xs, key=h) if xs else None", "min(xs, key=lambda v: (h(v), -v)) if xs else None",
                "any(map(lambda v: h(v) == 7, xs))", "all(map(lambda v: h(v) != 7, xs))",
                "sorted(map(h, xs))[-3:]", "list(map(lambda a, b: h(a) - b, xs, xs))[-2:]",
                "list(enumerate(map(h, xs)))[-1:]", "dict(zip(xs, map(h, xs))).get(5)"]
        if not self.on("lazy-builtins"):
            uses = [u for u in uses if not any(w in u for w in ("all(", "any(", "filter(", "enumerate(", "zip("))]
        for u in self.rng.sample(uses, self.rng.randint(2, 5)):
            out += [f"print({u!r}, {u})"]
        out += [f"hp = {picky}(h)", "for k in range(3):", "    try:", f"        print('{picky}', sum(map(hp, xs)))",
                "    except ValueError as e:", f"        print('{picky}', k, e)"]
        return out, True

    def g_dict_state(self):
        # A dict captured by several closures (put, get, drop), keyed by ints in and out
        # of order, equal bools and floats, negative and big keys: dense dicts and their
        # fall-back to hashing.
        mk = self.name("make_store")
        n = self.calls(hot=0.5)
        key = self.rng.choice(["i", "i % 7", "i * 2", "-i", "i % 3 == 0", "float(i % 5)", "2**47 - 2 + i % 4",
                               "str(i % 11)", "(i, i % 2)", "i if i % 3 else 0"])
        dk = self.rng.choice(["i - 1", "i % 5", "i // 2", "1.0", "True", "i"])
        lines = [f"def {mk}():", "    d = {}", "    def put(k, v):", "        d[k] = v", "        return len(d)",
                 "    def get(k):", "        return d.get(k, -1)", "    def drop(k):",
                 f"        {self.rng.choice(['return d.pop(k, None)', 'del d[k]', 'return d.pop(k)'])}", "    return put, get, drop, d",
                 f"put, get, drop, d = {mk}()", "acc = 0", "errs = 0", f"for i in range({n}):",
                 f"    acc = acc + put({key}, i)", "    v = get(i // 2)", "    acc = acc + (v if type(v) == int else 1)",
                 f"    if i % {self.rng.choice([2, 3, 10, 997])} == 1:", "        try:", f"            drop({dk})",
                 "        except KeyError as e:", "            errs += 1", f"print('{mk}', acc, errs, len(d), list(d.items())[:6], list(d)[-3:])"]
        return lines, True

    def g_genexpr(self):
        # Generator expressions over closures: a nonlocal counter bumped by the element or
        # the condition (so laziness shows in the count), nested clauses, lambdas made in
        # the element (late binding), partial consumption with next(), an error part way,
        # and bitwise operators in the element.
        mk = self.name("make_gen")
        n = self.calls(hot=0.3)
        elt = self.rng.choice(["bump(x)", "x * k", "(x ^ k) & 0xff | 1", "bump(x) + y", "lambda: x + k",
                               "(x, y)", "x // (k - 3)", "-x << (k % 5)"])
        nested = "y" in elt or self.rng.random() < 0.3
        clauses = "for x in xs" + (" for y in range(x % 3)" if nested else "")
        if self.rng.random() < 0.5:
            clauses += self.rng.choice([" if x % 2", " if bump(x) % 3", " if x > k", " if x & 1 if x % 3"])
        consume = self.rng.choice(["sum_or_len(g)", "list_of(g)", "first_two(g)", "any(v == k for v in g)",
                                   "max_or(g)"])
        lines = [f"def {mk}(k):", "    count = 0", "    def bump(v):", "        nonlocal count", "        count += 1",
                 "        return v + count", "    def run(xs):", f"        g = ({elt} {clauses})", f"        return g",
                 "    def seen():", "        return count", "    return run, seen",
                 "def sum_or_len(g):", "    vs = list(g)", "    return sum(v() if callable(v) else (v[0] if type(v) == tuple else v) for v in vs)",
                 "def list_of(g):", "    return [v() if callable(v) else v for v in g]",
                 "def first_two(g):", "    a = next(g, None)", "    b = next(g, None)", "    return (a() if callable(a) else a, b() if callable(b) else b)",
                 "def max_or(g):", "    vs = [v() if callable(v) else v for v in g]", "    return max(vs) if vs else None",
                 f"run, seen = {mk}({self.rng.randint(0, 9)})", "acc = 0", "out = None",
                 f"for i in range({n}):", "    try:", f"        out = {consume.replace('g)', 'run(range(i % 9)))')}",
                 "    except ZeroDivisionError:", "        out = 'zde'",
                 "    acc = acc + (out if type(out) == int else 1)",
                 f"print('{mk}', acc, seen(), out)"]
        return lines, True

    def g_walrus(self):
        # Assignment expressions with closures, called across the specialisation points:
        # a target in a nonlocal cell, a comprehension or generator expression binding the
        # enclosing function's variable (a cell a lambda also reads), a loop condition, a
        # short-circuited branch that may leave the target unbound, a captured parameter
        # rebound from a comprehension (so never a frozen capture), bitwise operators.
        mk = self.name("walrus")
        n = self.calls(hot=0.5)
        body = self.rng.choice([
            ["        nonlocal last", "        if (last := bump(i) % 7) > k % 7:", "            return last * 2",
             "        return -last"],
            ["        ys = [(y := bump(x) ^ k) for x in range(i % 5)]", "        get = lambda: y",
             "        return len(ys) + (get() if ys else 0)"],
            ["        j = 0", "        acc = 0", "        while (j := j + 1) < i % 6 + 2:",
             "            acc = acc + (w := bump(j) & 15) + w", "        return acc + j"],
            ["        if i % 3 and (s := bump(i)) > k:", "            return s", "        try:", "            return s",
             "        except NameError as e:", "            return str(e)"],
            ["        def make(p):", "            f = lambda: p", "            [(p := p + x) for x in range(3)]",
             "            return f", "        return make(i)() + (q := i % 4) * q"],
            ["        nonlocal count", "        return (count := count + i % 5) | (k & 3)"],
            ["        g = ((t := bump(x)) for x in range(i % 4))", "        total = sum(g)",
             "        return total - (t if i % 4 else 0)"],
        ])
        lines = [f"def {mk}(k):", "    count = 0", "    last = None", "    def bump(v):", "        nonlocal count",
                 "        count = count + 1", "        return v + count", "    def run(i):"] + body + [
                 "    def seen():", "        return count", "    return run, seen",
                 f"run, seen = {mk}({self.rng.randint(0, 9)})", "acc = 0", "out = None",
                 f"for i in range({n}):", "    out = run(i)", "    acc = acc + (out if type(out) == int else len(out))",
                 f"print('{mk}', acc, seen(), out)"]
        return lines, True

    def g_depth_spec(self):
        # The deepest recursion that succeeds when the leaf calls a closure chain that is
        # specialised before or during the probes (its checks of depth on entry fall back
        # to the shared body near the limit).
        comp = self.name("dcomp")
        out = [f"def {comp}(f, g):", "    return lambda x: f(g(x))"]
        fs = [self.callee(out, pure=not self.on("c-depth")) for _ in range(self.rng.randint(1, 6))]
        out += [f"h = {fs[0]}"] + [f"h = {comp}(h, {f})" for f in fs[1:]]
        pre = self.rng.choice([0, 500, 900, 950, 990, 999, 1000, 1200, 2000])
        lo = self.rng.choice([850, 900, 950])
        probe = self.name("probe")
        out += [f"for i in range({pre}):", "    h(i)", f"def {probe}(n):", "    if n == 0:", "        return h(1)",
                f"    return {probe}(n - 1)", "deepest = None", f"for n in range({lo}, 1000):", "    try:",
                f"        {probe}(n)", "        deepest = n", "    except RecursionError as e:",
                f"        print('{probe}', n, e)", "        break", f"print('{probe}', deepest)"]
        return out, True

    def g_except_capture(self):
        # A closure capturing the name of an `except ... as e` clause (unbound when the
        # clause ends), and closures made and called inside except and finally blocks.
        f = self.name("exc_cap")
        n = self.calls(hot=0.4)
        lines = [f"def {f}(n):", "    got = []", "    for i in range(n):", "        try:", "            if i % 3 == 0:",
                 "                raise ValueError(i)", "            got.append(lambda: i)", "        except ValueError as e:",
                 "            got.append(lambda: str(e))", "        finally:", "            got.append(lambda: len(got))",
                 "    out = []", "    for g in got[-6:]:", "        try:", "            out.append(g())",
                 "        except NameError as x:", "            out.append(str(x))", "    return out",
                 f"print('{f}', {f}({n}))"]
        return lines, True

    def g_levels(self):
        # Three levels of nonlocal state: a middle function's variable bumped by the inner
        # closure, read by a sibling, rebound by the outer one, each level called in loops.
        f = self.name("levels")
        n = self.calls(hot=0.5)
        ev = self.event(n)
        lines = [f"def {f}(fn, start):", "    total = start", "    def middle(k):", "        count = 0",
                 "        def inner(x):", "            nonlocal total, count", "            count += 1",
                 f"            total = {self.rng.choice(['total + fn(x) * k', '(total + fn(x)) % 1000003', 'total + count'])}",
                 "            return total", "        def peek():", "            return count, total", "        return inner, peek",
                 "    inner, peek = middle(3)", "    inner2, peek2 = middle(-1)", "    acc = 0", "    for i in range(n_calls):",
                 "        acc = acc + inner(i) - inner2(i)", f"        if i == {ev}:", "            total = 0", "    return acc, peek(), peek2()"]
        lines = [ln.replace("n_calls", str(n)) for ln in lines]
        fn = self.callee(lines)
        lines += ["out = None", "for r in range(2):", f"    out = {f}({fn}, {self.int_()})", f"print('{f}', out)"]
        return lines, True

    SECTIONS = ["g_counter", "g_averager", "g_compose", "g_compose", "g_rebound", "g_raise_at", "g_raise_at",
                "g_late_binding", "g_unbound", "g_global_unbound", "g_recursion", "g_gc", "g_decorator",
                "g_dispatch", "g_global_rebind", "g_bigarith", "g_many_spec", "g_defaults", "g_finally", "g_scopes", "g_scopes", "g_scopes", "g_builtin_calls",
                "g_dict_state", "g_depth_spec", "g_except_capture", "g_levels", "g_callee_kinds", "g_callee_kinds", "g_dag",
                "g_factory", "g_exc_paths", "g_exc_paths", "g_kwcalls", "g_random_body", "g_random_body", "g_random_body", "g_func_attrs", "g_inline_exc", "g_inline_exc", "g_genexpr", "g_genexpr", "g_walrus", "g_walrus"]

    def ending(self):
        # An uncaught error at the end of the program: its last stderr line and the exit
        # status must be CPython's.
        out = []
        kind = self.rng.randint(0, 6)
        if kind == 0:
            return ["def runaway(n):", "    return (lambda: runaway(n + 1))()", "runaway(0)"]
        if kind == 1:
            return ["def endo():", "    def inner():", "        return q", "    inner()", "    q = 1", "endo()"]
        if kind == 2:
            return ["def endc():", "    c = 0", "    def inc():", "        c += 1", "    return inc", "endc()()"]
        if kind == 3:
            f = self.callee(out)
            n = self.calls(hot=0.9)
            return out + ["def endw(f):", "    calls = 0", "    def g(x):", "        nonlocal calls", "        calls += 1",
                          f"        if calls == {self.event(n)}:", "            raise KeyError(calls)", "        return f(x)",
                          "    return g", f"eg = endw({f})", f"for i in range({n}):", "    eg(i)", "print('survived')"]
        if kind == 4:
            return ["print(undefined_name_at_end)"]
        if kind == 5 and self.introspect:
            return ["def endcell():", "    def inner():", "        return v", "    print(inner.__closure__[0].cell_contents)",
                    "    v = 1", "endcell()"]
        return ["def enddiv(k):", "    return lambda x: x // k", "print(enddiv(0)(5))"]

    def program(self):
        # 3-7 random sections, each in a try (and half of the wrappable ones inside a
        # function of their own), then sometimes an uncaught error.
        lines = []
        pool = [s for s in self.SECTIONS] + (["g_cells", "g_cells"] if self.introspect else [])
        if not self.on("spec-pending-depth"):
            pool.remove("g_depth_spec")
        if self.only:
            pool = self.only
        for si in range(self.rng.randint(3, 7)):
            body, wrappable = getattr(self, self.rng.choice(pool))()
            if wrappable and self.rng.random() < 0.5:
                fn = self.name("section")
                lines += [f"def {fn}():"] + indent(body) + ["try:", f"    {fn}()"]
            else:
                lines += ["try:"] + indent(body)
            lines += ["except Exception as e:", f"    print('section {si}', type(e).__name__, e)", ""]
        if self.rng.random() < 0.3:
            lines += self.ending()
        return "\n".join(lines) + "\n"


class ScopeGen:
    """g_scopes: a random nest of functions over the variables a b c d (see Gen.g_scopes)."""

    VARS = ["a", "b", "c", "d"]

    def __init__(self, g):
        self.g = g
        self.rng = g.rng
        self.log = g.name("LOG")
        self.err = g.name("err")

    def expr(self, depth, has_fn):
        # An int expression over the variables, `i`, constants, and calls of `fn`.
        r = self.rng
        x = r.random()
        if depth <= 0 or x < 0.3:
            return r.choice(["1", "2", "7", "-3", "(2**47 - 1)", "i"]) if x < 0.1 else r.choice(self.VARS)
        if x < 0.45 and has_fn:
            return f"fn({self.expr(depth - 1, has_fn)})"
        op = r.choice(["+", "-", "*", "%", "//"])
        lhs = self.expr(depth - 1, has_fn)
        rhs = r.choice(["1009", "-7", "3", "2**48"]) if op in ("%", "//") else self.expr(depth - 1, has_fn)
        return f"(({lhs} * {rhs}) % 1000003)" if op == "*" else f"({lhs} {op} {rhs})"

    def guarded(self, stmt_lines):
        # Statements in a try that counts NameError / UnboundLocalError messages.
        return ["try:"] + indent(stmt_lines) + ["except (NameError, UnboundLocalError) as ex:", f"    {self.err}(ex)"]

    def func(self, name, depth, bound, has_fn, siblings):
        """(lines defining `name`, its parameter count). `bound`: the names a nonlocal may
        name (bound in an enclosing function); `siblings`: (name, arity) of the functions
        already defined in the enclosing one, which this one may call."""
        r = self.rng
        params = (["fn"] if depth == 0 else []) + [v for v in self.VARS if r.random() < 0.3]
        decl = {}
        for v in self.VARS:
            if v not in params:
                x = r.random()
                if x < 0.25 and v in bound:
                    decl[v] = "nonlocal"
                elif x < 0.35:
                    decl[v] = "global"
        body = [f"{kind} {v}" for v, kind in decl.items()] + ["r = 0", "fs = []", "i = 0"]
        has_fn = has_fn or depth == 0
        # Names this function binds so far (nonlocal in an inner function may name them).
        mine = set(params) | {v for v, k in decl.items() if k == "nonlocal"}

        def binds(v):
            if decl.get(v) != "global":
                mine.add(v)

        inners = []
        for _ in range(r.randint(2, 7)):
            x = r.random()
            v = r.choice(self.VARS)
            if x < 0.25:
                st = [f"{v} = {self.expr(2, has_fn)}"]
                body += st if r.random() < 0.25 else self.guarded(st)
                binds(v)
            elif x < 0.35:
                body += self.guarded([f"{v} += {self.expr(1, has_fn)}"])
                binds(v)
            elif x < 0.40:
                body += self.guarded([f"del {v}"])
                binds(v)
            elif x < 0.55 and depth < 2:
                inner = self.g.name("f")
                globals_here = {v for v, k in decl.items() if k == "global"}
                lines, arity = self.func(inner, depth + 1, (set(bound) | mine) - globals_here, has_fn, siblings + inners)
                body += lines + self.guarded([f"fs.append({inner})"])
                inners.append((inner, arity))
            elif x < 0.65 and (inners or siblings):
                f, arity = r.choice(inners + siblings)
                args = ", ".join(self.expr(1, has_fn) for _ in range(arity))
                body += self.guarded([f"r = (r + {f}({args})[0]) % 1000003"])
            elif x < 0.75:
                lam = r.choice([f"lambda: {v}", f"lambda {v}={v}: {v}", f"lambda: {self.expr(1, has_fn)}"])
                body += self.guarded([f"fs.append({lam})"])
            elif x < 0.87:
                st = r.choice([f"r = (r + {self.expr(1, has_fn)}) % 1000003", f"{v} = i * {r.choice(['2', '-1', '2**46'])}",
                               f"fs.append(lambda: {v} + i)"])
                if st.startswith(v):
                    binds(v)
                body += self.guarded([f"for i in range({r.choice([2, 3, 10])}):", "    " + st])
            else:
                body += self.guarded([f"if {self.expr(1, has_fn)} % 2:", f"    {v} = {self.expr(1, has_fn)}"])
                binds(v)
        body += self.guarded([f"r = (r + {self.expr(1, has_fn)}) % 1000003"]) + ["return r, fs"]
        return [f"def {name}({', '.join(params)}):"] + indent(body), len(params)

    def section(self):
        g = self.g
        top = g.name("scopes")
        lines = [f"{self.log} = {{}}", f"def {self.err}(ex):", "    k = type(ex).__name__ + ': ' + str(ex)",
                 f"    {self.log}[k] = {self.log}.get(k, 0) + 1"]
        # Module globals a b c d: some set, some not.
        for v in self.VARS:
            if self.rng.random() < 0.6:
                lines += [f"{v} = {self.rng.choice(['1', '5', '2**47 - 3', '-2'])}"]
            else:
                lines += ["try:", f"    del {v}", "except NameError:", "    pass"]
        fdef, arity = self.func(top, 0, set(), True, [])
        lines += fdef
        args = "".join(f", {k + 2}" for k in range(arity - 1))
        fn = self.rng.choice(["x + it", "x * 2 % 1009", "-x", "x // 3"])
        n = g.calls(hot=0.5)
        lines += ["res = (0, [])", f"for it in range({self.rng.choice([1, 2, 5, 30])}):", "    try:",
                  f"        res = {top}(lambda x: {fn}{args})", "    except (NameError, UnboundLocalError) as ex:",
                  f"        {self.err}(ex)", "print(res[0], len(res[1]))", "acc = 0", "for f in res[1][:6]:",
                  f"    for j in range({n}):", "        try:", "            v = f(*([j] * f.__code__.co_argcount))",
                  "        except (NameError, UnboundLocalError) as ex:", f"            {self.err}(ex)", "            v = 0",
                  "        acc = (acc + (v[0] if type(v) == tuple else v)) % 1000003", f"print(acc, {self.log})"]
        return lines


# ---------------------------------------------------------------------- running

def run(cmd, path, env=None, timeout=TIMEOUT):
    """(stdout, exit status, last stderr line, kind) where kind is ok/timeout/signal/panic."""
    try:
        r = subprocess.run(cmd + [path], capture_output=True, text=True, timeout=timeout, env=env, errors="replace")
    except subprocess.TimeoutExpired:
        return ("", None, "", "timeout")
    err = r.stderr.rstrip("\n").splitlines()
    kind = "ok"
    if r.returncode < 0:
        kind = "signal"
    elif "panicked" in r.stderr:
        kind = "panic"
    return (r.stdout, r.returncode, err[-1] if err else "", kind)


def modes(binary, interp, wait):
    """name -> (command, extra environment)"""
    m = {"jit": ([binary, "run"], {})}
    if wait:
        m["wait"] = ([binary, "run"], {"CELLAR_SPECIALIZE_WAIT": "1"})
    if interp:
        m["interp"] = ([binary, "run", "--interp"], {})
    return m


def torture_modes(binary, interp):
    """The GC-torture modes run on every K-th program: name -> (command, extra environment)."""
    m = {"torture": ([binary, "run"], {"CELLAR_GC_TORTURE": "1", "CELLAR_SPECIALIZE_WAIT": "1"}),
         "torture-race": ([binary, "run"], {"CELLAR_GC_TORTURE": "1"})}
    if interp:
        m["interp-torture"] = ([binary, "run", "--interp"], {"CELLAR_GC_TORTURE": "1"})
    return m


def env_with(extra):
    """This process's environment plus `extra`."""
    e = dict(os.environ)
    e.update(extra)
    return e


def verdict(want, got):
    """None when `got` agrees with CPython's `want`, else a short description."""
    if got[3] != "ok":
        return got[3] + (": " + got[2] if got[3] != "timeout" else "")
    if got[:3] == want[:3]:
        return None
    if got[0] != want[0]:
        wl, gl = want[0].splitlines(), got[0].splitlines()
        i = next((i for i in range(min(len(wl), len(gl))) if wl[i] != gl[i]), None)
        if i is not None:
            return f"stdout line {i + 1}: want {wl[i][:150]!r}, got {gl[i][:150]!r}"
        return f"stdout: {len(wl)} lines vs {len(gl)}"
    if got[1] != want[1]:
        return f"exit {want[1]} vs {got[1]} ({got[2][:150]!r})"
    return f"stderr: want {want[2][:150]!r}, got {got[2][:150]!r}"


def unsupported(got):
    """Did cellar reject the program as outside its subset (not a failure)?"""
    return got[1] == 1 and "is not supported by cellar" in got[2]


def report(path, want, results):
    """The .txt next to a kept program: CPython's result and each failing mode's."""
    lines = []
    for name, got in [("python3", want)] + results:
        lines += [f"== {name}", f"exit: {got[1]}  ({got[3]})", f"last stderr: {got[2]}", "stdout:"]
        lines += ["  " + ln for ln in got[0].splitlines()[:60]]
        if len(got[0].splitlines()) > 60:
            lines += ["  ..."]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def reduce(binary, path, mode):
    """Shrink `path` by removing lines and indented blocks while `mode` still fails the same way."""
    allm = dict(modes(binary, True, True))
    allm.update(torture_modes(binary, True))
    cmd, extra = allm[mode]
    env = env_with(extra)
    with open(path) as f:
        lines = f.read().splitlines()
    first = check(cmd, env, lines)
    if first is None:
        print("does not fail")
        return
    kind = first.split()[0].rstrip(":")  # stdout, exit, stderr, timeout, signal or panic
    print("failure:", first)

    def still(cand):
        v = check(cmd, env, cand)
        return v is not None and v.split()[0].rstrip(":") == kind

    while True:
        before = len(lines)
        # Whole blocks (a line and the more indented lines under it), then single lines,
        # then compound statements replaced by their dedented body.
        for shrink in (drop_blocks, drop_lines, unwrap_blocks):
            lines = shrink(lines, still)
        if len(lines) == before:
            break
    out = path[:-3] + ".min.py"
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{len(lines)} lines -> {out}: {check(cmd, env, lines)}")


def width(line):
    """The indentation of `line`."""
    return len(line) - len(line.lstrip(" "))


def block_end(lines, i):
    """The index after line i's block: the following lines indented more than it."""
    j = i + 1
    while j < len(lines) and (not lines[j].strip() or width(lines[j]) > width(lines[i])):
        j += 1
    return j


def drop_spans(lines, still, end):
    """Remove each span lines[i:end(lines, i)] that `still` fails without."""
    i = 0
    while i < len(lines):
        cand = lines[:i] + lines[end(lines, i):]
        if cand and still(cand):
            lines = cand
        else:
            i += 1
    return lines


def drop_blocks(lines, still):
    """Remove each block (a line and the lines indented under it) that `still` fails without."""
    return drop_spans(lines, still, block_end)


def drop_lines(lines, still):
    """Remove each single line that `still` fails without."""
    return drop_spans(lines, still, lambda _, i: i + 1)


def unwrap_blocks(lines, still):
    # A compound statement at line i (`try:`, `if`, `for`, `while`, with the clauses that
    # follow it: except, finally, else, elif) replaced by one of its bodies, dedented.
    i = 0
    while i < len(lines):
        head = lines[i].strip()
        if not (head.endswith(":") and head.split()[0] in ("try:", "if", "for", "while")):
            i += 1
            continue
        bodies, k = [], i
        while True:
            j = block_end(lines, k)
            bodies.append([ln[4:] if ln.startswith(" " * (width(lines[i]) + 4)) else ln for ln in lines[k + 1:j]])
            k = j
            if not (k < len(lines) and width(lines[k]) == width(lines[i]) and
                    lines[k].strip().split()[0].rstrip(":") in ("except", "finally", "else", "elif")):
                break
        for body in bodies:
            cand = lines[:i] + body + lines[k:]
            if still(cand):
                lines = cand
                break
        else:
            i += 1
    return lines


def check(cmd, env, lines):
    """The verdict of one candidate program (None: agrees, or not a valid program)."""
    text = "\n".join(lines) + "\n"
    try:
        compile(text, "cand.py", "exec")
    except (SyntaxError, ValueError):
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(text)
    try:
        want = run([sys.executable], f.name, timeout=10)
        if want[3] != "ok" or "SyntaxError" in want[2]:
            return None
        got = run(cmd, f.name, env=env)
        if unsupported(got):
            return None
        return verdict(want, got)
    finally:
        os.unlink(f.name)


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        sys.exit(__doc__)
    binary = os.path.abspath(args[0])

    def opt(name, default):
        return args[args.index(name) + 1] if name in args else default

    if "--reduce" in args:
        i = args.index("--reduce")
        reduce(binary, args[i + 1], args[i + 2])
        return
    seed = int(opt("--seed", 1))
    count = int(opt("--programs", 60))
    every = int(opt("--torture-every", 4))
    repeat = int(opt("--repeat", 1))
    keep = opt("--keep", "/tmp/closure_diff")
    show = int(opt("--show", 0))
    avoid = [a for a in opt("--avoid", "").split(",") if a]
    only = ["g_" + a.removeprefix("g_") for a in opt("--only", "").split(",") if a]
    interp = "-i" in args
    normal = modes(binary, interp, "--no-wait" not in args)
    torture = torture_modes(binary, interp)
    rng = random.Random(seed)
    os.makedirs(keep, exist_ok=True)
    ran = {m: 0 for m in list(normal) + list(torture)}
    rejected = {}
    failures = 0
    start = time.time()
    with tempfile.TemporaryDirectory() as d:
        for n in range(count):
            tortured = every > 0 and n % every == every - 1
            g = Gen(random.Random(rng.getrandbits(64)), rng.random() < 0.3, avoid, only)
            text = g.program()
            if n < show:
                print(f"---- program {n}\n{text}")
            path = os.path.join(d, f"p{n}.py")
            with open(path, "w") as f:
                f.write(text)
            want = run([sys.executable], path, timeout=60)
            if want[3] != "ok" or "SyntaxError" in want[2]:
                print(f"generator bug, program {n}: CPython says {want[3]} {want[2]!r}")
                with open(os.path.join(keep, f"gen_{seed}_{n}.py"), "w") as f:
                    f.write(text)
                continue
            bad = []
            runs = [(name, m) for name, m in normal.items() for _ in range(repeat if name == "jit" else 1)]
            for name, (cmd, extra) in runs + (list(torture.items()) if tortured else []):
                if name in [b[0] for b in bad]:
                    continue  # a repeated run of a mode that already failed
                got = run(cmd, path, env=env_with(extra))
                ran[name] += 1
                if unsupported(got):
                    construct = got[2].split("'")[1] if "'" in got[2] else got[2]
                    rejected[construct] = rejected.get(construct, 0) + 1
                    break
                v = verdict(want, got)
                if v is not None:
                    # Run it again: a failure that comes and goes is worth knowing about.
                    again = verdict(want, run(cmd, path, env=env_with(extra)))
                    flaky = "" if again == v else f" (flaky: rerun {'agrees' if again is None else again})"
                    bad.append((name, got))
                    print(f"MISMATCH {name} {keep}/s{seed}_p{n}.py: {v}{flaky}")
            if bad:
                failures += 1
                base = os.path.join(keep, f"s{seed}_p{n}")
                with open(base + ".py", "w") as f:
                    f.write(text)
                report(base + ".txt", want, bad)
    secs = time.time() - start
    print(f"seed {seed}: {count} programs, runs per mode {ran}, {failures} failing programs, {secs:.0f} s")
    print(f"unsupported (rejected by cellar): {sum(rejected.values())} {rejected}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
