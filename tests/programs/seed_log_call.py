# Closure article: log_call decorator captures func and prints its name and args.
def log_call(func):
    def wrapper(*args):
        print(f"Calling {func.__name__} with {args}")
        return func(*args)
    return wrapper


@log_call
def add(a, b):
    return a + b


print(add(2, 3))
print(add("x", "y"))
print(add.__name__)


@log_call
def neg(a):
    return -a


print(neg(7))
