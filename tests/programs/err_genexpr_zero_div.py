# err: an exception inside a generator expression propagates from the consumer, traceback through <genexpr>
def main():
    xs = [1, 2, 0]
    print(list(10 // x for x in xs))
main()
