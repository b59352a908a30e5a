# RecursionError: unbounded mutual recursion between inner closures.
def outer():
    def ping(n):
        return pong(n + 1)

    def pong(n):
        return ping(n + 1)
    return ping


print('start')
outer()(0)
