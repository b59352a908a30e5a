# An explicitly raised built-in exception that nobody catches, after finally blocks run.
def work():
    try:
        print('working')
        raise RuntimeError('something broke')
    finally:
        print('cleanup')


try:
    work()
except ValueError:
    print('wrong handler')
finally:
    print('outer cleanup')
