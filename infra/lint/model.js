// Prints the declarations of every .bicep file under infra/ as JSON, read from the tree-sitter Bicep
// syntax tree, so tests can check what the templates declare without a Bicep CLI.
// Usage: node model.js [dir]
// Values: literals become JSON (strings without interpolation, numbers, booleans, null, objects, arrays);
// anything computed becomes {"$expr": "<source text>"}.
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

function stringValue(node) {
  const parts = node.namedChildren;
  if (parts.every((c) => c.type === 'string_content' || c.type === 'escape_sequence')) {
    return parts.map((c) => (c.type === 'escape_sequence' ? unescape(c.text) : c.text)).join('');
  }
  return { $expr: node.text };
}

function unescape(text) {
  return { "\\'": "'", '\\\\': '\\', '\\n': '\n', '\\r': '\r', '\\t': '\t', '\\$': '$' }[text] ?? text;
}

function keyOf(node) {
  return node.type === 'string' ? stringValue(node) : node.text;
}

function value(node) {
  switch (node.type) {
    case 'string': return stringValue(node);
    case 'number': return Number(node.text);
    case 'boolean': return node.text === 'true';
    case 'null': return null;
    case 'array': return node.namedChildren.filter((c) => c.type !== 'comment').map(value);
    case 'object': {
      const out = {};
      for (const p of node.namedChildren) {
        if (p.type !== 'object_property') continue;
        const [k, v] = p.namedChildren.filter((c) => c.type !== 'comment' && c.type !== 'decorators');
        out[keyOf(k)] = value(v);
      }
      return out;
    }
    default: return { $expr: node.text };
  }
}

function decorators(node) {
  const prev = node.previousNamedSibling;
  if (!prev || prev.type !== 'decorators') return {};
  const out = {};
  for (const d of prev.namedChildren) {
    const call = d.namedChildren[0];
    if (!call) continue;
    if (call.type === 'call_expression') {
      const args = call.namedChildren[1] ? call.namedChildren[1].namedChildren.map(value) : [];
      out[call.namedChildren[0].text] = args.length === 1 ? args[0] : args;
    } else {
      out[call.text] = true;
    }
  }
  return out;
}

// resource/module body: `= {..}`, `= if (cond) {..}`, or `= [for ..: {..}]`
function body(node) {
  const last = node.namedChildren[node.namedChildren.length - 1];
  if (last.type === 'object') return { condition: null, loop: null, body: value(last) };
  if (last.type === 'if_statement') {
    return { condition: last.namedChildren[0].text, loop: null, body: value(last.namedChildren[1]) };
  }
  if (last.type === 'for_statement') {
    const inner = last.namedChildren[last.namedChildren.length - 1];
    return { condition: null, loop: last.namedChildren.slice(0, -1).map((c) => c.text).join(' in '), body: value(inner) };
  }
  return { condition: null, loop: null, body: value(last) };
}

function model(file) {
  const tree = parser.parse(fs.readFileSync(file, 'utf8'));
  if (tree.rootNode.hasError) throw new Error(`${file}: syntax error`);
  const m = { params: {}, vars: {}, resources: {}, modules: {}, outputs: {} };
  for (const n of tree.rootNode.namedChildren) {
    const name = n.namedChildren[0] && n.namedChildren[0].text;
    switch (n.type) {
      case 'parameter_declaration': {
        const def = n.namedChildren[2];
        m.params[name] = { type: n.namedChildren[1].text, default: def ? value(def) : undefined, decorators: decorators(n) };
        break;
      }
      case 'variable_declaration':
        m.vars[name] = value(n.namedChildren[n.namedChildren.length - 1]);
        break;
      case 'resource_declaration': {
        const [type, apiVersion] = stringValue(n.namedChildren[1]).split('@');
        const existing = n.children.some((c) => c.type === 'existing');
        m.resources[name] = { type, apiVersion, existing, ...body(n) };
        break;
      }
      case 'module_declaration':
        m.modules[name] = { path: stringValue(n.namedChildren[1]), ...body(n) };
        break;
      case 'output_declaration':
        m.outputs[name] = { value: value(n.namedChildren[n.namedChildren.length - 1]) };
        break;
      default:
        break;
    }
  }
  return m;
}

const files = {};
for (const f of bicepFiles(root)) {
  files[path.relative(root, f).split(path.sep).join('/')] = model(f);
}
process.stdout.write(JSON.stringify(files, null, 1));
