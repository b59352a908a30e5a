# TypeError: missing a required keyword-only argument.
def connect(host, *, port):
    return f'{host}:{port}'


print(connect('localhost', port=80))
connect('localhost')
