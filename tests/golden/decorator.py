# A decorator: wrapper closes over `func` and calls it with *args/**kwargs.
def trace(func):
    def wrapper(*args, **kwargs):
        result = func(*args, **kwargs)
        print(func.__name__, args, result)
        return result
    return wrapper


@trace
def square(n):
    return n * n


square(4)
