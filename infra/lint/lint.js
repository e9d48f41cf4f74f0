// Parses every .bicep file under infra/ and fails when the tree-sitter Bicep grammar finds a syntax
// error, printing each ERROR or MISSING node with its line and column. Usage: node lint.js [dir]
const fs = require('fs');
const path = require('path');
const Parser = require('tree-sitter');
const Bicep = require('tree-sitter-bicep');

const root = path.resolve(process.argv[2] || path.join(__dirname, '..'));
const parser = new Parser();
parser.setLanguage(Bicep);

function bicepFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : bicepFiles(p);
    return e.name.endsWith('.bicep') ? [p] : [];
  });
}

function problems(node, out) {
  if (node.type === 'ERROR' || node.isMissing) {
    out.push(`${node.startPosition.row + 1}:${node.startPosition.column + 1} ${node.isMissing ? 'missing ' + node.type : 'unexpected ' + JSON.stringify(node.text.slice(0, 60))}`);
  }
  for (const child of node.children) problems(child, out);
  return out;
}

const files = bicepFiles(root);
let failed = 0;
for (const file of files) {
  const tree = parser.parse(fs.readFileSync(file, 'utf8'));
  const rel = path.relative(process.cwd(), file);
  if (tree.rootNode.hasError) {
    failed++;
    for (const p of problems(tree.rootNode, [])) console.error(`${rel}:${p}`);
  } else {
    console.log(`ok ${rel}`);
  }
}
if (files.length === 0) {
  console.error(`no .bicep files under ${root}`);
  process.exit(2);
}
process.exit(failed ? 1 : 0);
