# Exceptions take new attributes (they have a __dict__); args stays assignable.
def fail(code):
    e = ValueError("bad", code)
    e.code = code
    e.hint = "try again"
    raise e


try:
    fail(42)
except ValueError as e:
    print(e.args, e.code, e.hint, e.__dict__)
    e.args = ("changed",)
    del e.hint
    print(e, e.__dict__)
    try:
        del e.hint
    except AttributeError as err:
        print("AttributeError:", err)
    try:
        print(e.missing)
    except AttributeError as err:
        print("AttributeError:", err)
k = KeyError("k")
print(k.__dict__)
k.__dict__ = {"a": 1}
print(k.a)
