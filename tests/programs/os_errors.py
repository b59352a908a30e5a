# The OSError family Cellar has: OSError > ConnectionError > BrokenPipeError (print raises
# the last when a reader closes stdout). Made with a message, they behave as CPython's.
e = OSError("plain")
print(e, repr(e), e.args)
print(issubclass(BrokenPipeError, ConnectionError), issubclass(ConnectionError, OSError))
print(isinstance(BrokenPipeError("x"), Exception))
try:
    raise BrokenPipeError
except OSError as f:
    print("caught", type(f).__name__, repr(f))


def check(make):
    try:
        raise make()
    except ConnectionError as g:
        return "connection: " + str(g)
    except OSError as g:
        return "os: " + str(g)


print(check(lambda: OSError("disk")))
print(check(lambda: BrokenPipeError("pipe")))
