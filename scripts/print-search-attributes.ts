// Prints our custom search attributes as `Name=Type`, one per line: the values that
// scripts/stack.sh passes to `temporal server start-dev --search-attribute`, and the list that
// docker-compose.yml registers (TANDEM_SEARCH_ATTRIBUTES there must match this output).
import { searchAttributeCliFlags } from '../workflows/engine/search-attributes';

for (const flag of searchAttributeCliFlags()) {
  process.stdout.write(`${flag}\n`);
}
