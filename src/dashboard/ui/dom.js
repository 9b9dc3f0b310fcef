// Building DOM from data: text always goes in as text (textContent or attributes), never as HTML.

const SAFE_URL = /^(#|\/(?!\/))/; // in-page routes and this server's own paths only

function apply(node, props) {
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2).toLowerCase(), value);
    else if (name === 'class') node.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : String(value));
    else if (name === 'style' || name === 'innerHTML' || name === 'outerHTML') throw new Error(`h(): ${name} is not allowed`);
    else if ((name === 'href' || name === 'src' || name === 'action') && !SAFE_URL.test(String(value))) throw new Error(`h(): refusing ${name}=${String(value)}`);
    else if (value === true) node.setAttribute(name, '');
    else node.setAttribute(name, String(value));
  }
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** An HTML element: `h('a', { href: '#/flow', class: 'x' }, 'text', otherNode)`. */
export function h(tag, props, ...children) {
  const node = document.createElement(tag);
  apply(node, props);
  append(node, children);
  return node;
}

/** An SVG element, the same way. */
export function s(tag, props, ...children) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  apply(node, props);
  append(node, children);
  return node;
}

export function clear(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}
