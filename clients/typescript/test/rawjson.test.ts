import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { arrayElements, objectMembers } from "../src/rawjson.js";

describe("rawjson", () => {
  it("slices each member's value exactly, strings with braces and escapes included", () => {
    const text = ' { "a" : {"x":"}]\\"{","y":[1,{"z":null}]} , "b\\u0062":-1.50e+3,"c":"q\\\\","d":[ ],"e":true } ';

    const members = objectMembers(text);

    const slice = (name: string): string => {
      const span = members.get(name);
      assert.ok(span, name);
      return text.slice(span.start, span.end);
    };
    assert.equal(slice("a"), '{"x":"}]\\"{","y":[1,{"z":null}]}');
    assert.equal(slice("bb"), "-1.50e+3");
    assert.equal(slice("c"), '"q\\\\"');
    assert.equal(slice("d"), "[ ]");
    assert.equal(slice("e"), "true");
  });

  it("splits an array into its elements", () => {
    const text = '[ {"p":"]"} , 2 ,"s"]';

    const elements = arrayElements(text, { start: 0, end: text.length }).map((span) => text.slice(span.start, span.end));

    assert.deepEqual(elements, ['{"p":"]"}', "2", '"s"']);
  });

  it("refuses text that is not an object", () => {
    assert.throws(() => objectMembers("[1]"), SyntaxError);
    assert.throws(() => objectMembers('{"a":1'), SyntaxError);
  });
});
