# Unsupported construct: cellar rejects `class` with a SyntaxError before running anything.
print('never printed by cellar')


class Averager:
    def __init__(self):
        self.series = []


print(Averager().series)
