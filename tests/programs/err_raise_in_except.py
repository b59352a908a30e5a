# A new exception raised while handling another one propagates (the last line is the new one).
try:
    {}['k']
except KeyError:
    print('handling KeyError')
    raise ValueError('replacement')
