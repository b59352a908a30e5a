# callbacks: an event emitter (dict of handler lists) whose closures update shared and private state.
def make_emitter():
    handlers = {}
    def on(name, fn):
        if name not in handlers:
            handlers[name] = []
        handlers[name].append(fn)
    def emit(name, value):
        total = 0
        for fn in handlers.get(name, []):
            total = total + fn(value)
        return total
    return on, emit

def main():
    on, emit = make_emitter()
    seen = [0]
    for k in range(6):
        def make_handler(k):
            state = k
            def handler(v):
                nonlocal state
                state = (state * 31 + v) % 10007
                seen[0] = seen[0] + 1
                return state
            return handler
        on("tick" if k % 2 == 0 else "tock", make_handler(k))
    on("tock", lambda v: v * 2)
    total = 0
    for i in range(300000):
        total = (total + emit("tick", i) + emit("tock", i)) % 1000000007
        if i % 1000 == 0:
            total = total + emit("none", i)
    print(total, seen[0])

main()
