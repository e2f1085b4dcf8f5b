from mtorsim.trial._calibrate import fulvestrant_ki67_week4
print(fulvestrant_ki67_week4(factors=(0.5, 1.0, 2.0), patients=200, seed=1).to_string())
