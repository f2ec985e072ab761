// The "did you mean" helpers live in core (plugin hook and registry names use them too); the CLI imports the
// subpath so that start-up does not load the whole of core.
export { editDistance, closestName as closest } from '@taxonomist/core/suggest';
