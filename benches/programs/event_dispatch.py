# event_dispatch: a tokenizer state machine whose states are closures returning the next state.
def make_machine():
    counts = {"word": 0, "number": 0, "space": 0}
    length = 0
    def emit(kind):
        nonlocal length
        if length > 0:
            counts[kind] = counts[kind] + length
            length = 0
    def start(ch):
        nonlocal length
        if ch == " ":
            counts["space"] = counts["space"] + 1
            return start
        length = 1
        if ch in "0123456789":
            return number
        return word
    def word(ch):
        nonlocal length
        if ch == " ":
            emit("word")
            return start(ch)
        length = length + 1
        return word
    def number(ch):
        nonlocal length
        if ch not in "0123456789":
            emit("number")
            return start(ch)
        length = length + 1
        return number
    def feed(text):
        state = start
        for ch in text:
            state = state(ch)
        return state(" ")
    return feed, counts

def main():
    feed, counts = make_machine()
    text = "the 42 quick brown 7 foxes 1999 jump over 314159 lazy dogs "
    for i in range(5000):
        feed(text)
    print(counts["word"], counts["number"], counts["space"])

main()
