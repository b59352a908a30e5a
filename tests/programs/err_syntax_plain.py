# A plain syntax error: a statement that does not parse.
print('never printed')
x = = 1
