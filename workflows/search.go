package workflows

import (
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Search attributes of a sweep, set when SweepInput.SearchAttributes is true (the namespace
// must have them registered: the CLI registers them on the embedded server). They let
// `temporal workflow list --query 'SweepName = "quickstart" and SweepDone < SweepPoints'` and
// the Web UI find sweeps by name and progress.
var (
	SweepNameKey   = temporal.NewSearchAttributeKeyKeyword("SweepName")
	SweepPointsKey = temporal.NewSearchAttributeKeyInt64("SweepPoints")
	SweepDoneKey   = temporal.NewSearchAttributeKeyInt64("SweepDone")
)

// SearchAttributeTypes are the sweep's search attributes and their types, for registration.
func SearchAttributeTypes() map[string]enumspb.IndexedValueType {
	return map[string]enumspb.IndexedValueType{
		SweepNameKey.GetName():   enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		SweepPointsKey.GetName(): enumspb.INDEXED_VALUE_TYPE_INT,
		SweepDoneKey.GetName():   enumspb.INDEXED_VALUE_TYPE_INT,
	}
}

// upsertProgress records the sweep's name, size and points done as search attributes (one
// history event; called at the start and as groups finish, not per chunk).
func upsertProgress(ctx workflow.Context, in SweepInput, done int64) {
	if !in.SearchAttributes {
		return
	}
	err := workflow.UpsertTypedSearchAttributes(ctx,
		SweepNameKey.ValueSet(in.Name), SweepPointsKey.ValueSet(in.Points), SweepDoneKey.ValueSet(done))
	if err != nil {
		workflow.GetLogger(ctx).Warn("upsert search attributes", "error", err)
	}
}
