namespace Observability.Tests;

/// <summary>Tests that run the whole system run one after another, so two systems do not share the machine's two cores.</summary>
[CollectionDefinition(nameof(WholeSystemCollection))]
public sealed class WholeSystemCollection;
