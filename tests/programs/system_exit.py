# SystemExit and the other BaseException subclasses: caught like any exception; uncaught, SystemExit(3) ends with status 3 and no traceback
def check(exc_type, *args):
    try:
        raise exc_type(*args)
    except Exception as e:
        print("Exception caught", type(e).__name__)
    except BaseException as e:
        print("BaseException caught", type(e).__name__, e.args)

for t in (SystemExit, KeyboardInterrupt, GeneratorExit, UnicodeError, ImportError, ModuleNotFoundError,
          EOFError, FileNotFoundError, PermissionError, TimeoutError, FloatingPointError):
    check(t, "x")
print(issubclass(ModuleNotFoundError, ImportError), issubclass(UnicodeError, ValueError),
      issubclass(TimeoutError, OSError), issubclass(FloatingPointError, ArithmeticError))

def leave(code):
    def inner():
        print("leaving with", code)
        raise SystemExit(code)
    return inner

try:
    leave(9)()
except SystemExit as e:
    print("stopped", e.args)
leave(3)()
print("not reached")
